package dev.slipway.problem;

/** What the request names does not exist (or the caller may not know it does): 404. */
public class NotFoundException extends ProblemException {

  /** The title of every 404 Slipway answers. */
  public static final String TITLE = "Not Found";

  public NotFoundException(String detail) {
    super(detail, null);
  }

  @Override
  public final int status() {
    return 404;
  }

  @Override
  public String kind() {
    return "not-found";
  }

  @Override
  public final String title() {
    return TITLE;
  }
}

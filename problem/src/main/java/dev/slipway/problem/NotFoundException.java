package dev.slipway.problem;

/** What the request names does not exist (or the caller may not know it does): 404. */
public class NotFoundException extends ProblemException {

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
}

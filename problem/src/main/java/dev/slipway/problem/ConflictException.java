package dev.slipway.problem;

/** The request cannot be carried out in the state the resource is in now: 409. */
public class ConflictException extends ProblemException {

  /** The title of every 409 Slipway answers. */
  public static final String TITLE = "Conflict";

  public ConflictException(String detail) {
    super(detail, null);
  }

  public ConflictException(String detail, String field) {
    super(detail, field);
  }

  @Override
  public final int status() {
    return 409;
  }

  @Override
  public String kind() {
    return "conflict";
  }

  @Override
  public final String title() {
    return TITLE;
  }
}

package dev.slipway.problem;

/** The request cannot be carried out in the state the resource is in now: 409. */
public class ConflictException extends ProblemException {

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
}

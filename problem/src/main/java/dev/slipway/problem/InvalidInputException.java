package dev.slipway.problem;

/** Input that is malformed or misses something the service needs: 400, naming the field. */
public class InvalidInputException extends ProblemException {

  public InvalidInputException(String detail, String field) {
    super(detail, field);
  }

  @Override
  public final int status() {
    return 400;
  }

  @Override
  public String kind() {
    return "invalid-input";
  }
}

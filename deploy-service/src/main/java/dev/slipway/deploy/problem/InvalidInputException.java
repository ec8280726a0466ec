package dev.slipway.deploy.problem;

/** A request body or parameter is invalid: 400, naming the field. */
public class InvalidInputException extends ProblemException {

  public InvalidInputException(String detail, String field) {
    super(detail, field);
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String kind() {
    return "invalid-input";
  }

  @Override
  public String title() {
    return "Invalid input";
  }
}

package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/** An application name that is already taken: 409. */
public class ApplicationExistsException extends ProblemException {

  public ApplicationExistsException(String detail, String field) {
    super(detail, field);
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String kind() {
    return "application-exists";
  }

  @Override
  public String title() {
    return "Application already exists";
  }
}

package dev.slipway.deploy.problem;

import dev.slipway.problem.ProblemException;

/** The request does not fit the current state (an approval already decided, say): 409. */
public class ConflictException extends ProblemException {

  public ConflictException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String kind() {
    return "conflict";
  }

  @Override
  public String title() {
    return "Conflict";
  }
}

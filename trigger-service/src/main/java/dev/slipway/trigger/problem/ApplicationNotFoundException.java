package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/** An application name that is not in the registry: 404. */
public class ApplicationNotFoundException extends ProblemException {

  public ApplicationNotFoundException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String kind() {
    return "application-not-found";
  }

  @Override
  public String title() {
    return "Application not found";
  }
}

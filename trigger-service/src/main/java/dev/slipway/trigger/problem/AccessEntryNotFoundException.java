package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/** A role binding or identity link that does not exist: 404. */
public class AccessEntryNotFoundException extends ProblemException {

  public AccessEntryNotFoundException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String kind() {
    return "not-found";
  }

  @Override
  public String title() {
    return "Not found";
  }
}

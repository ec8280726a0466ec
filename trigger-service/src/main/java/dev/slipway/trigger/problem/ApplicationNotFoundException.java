package dev.slipway.trigger.problem;

import dev.slipway.problem.NotFoundException;

/** An application name that is not in the registry: 404. */
public class ApplicationNotFoundException extends NotFoundException {

  public ApplicationNotFoundException(String detail) {
    super(detail);
  }

  @Override
  public String kind() {
    return "application-not-found";
  }
}

package dev.slipway.trigger.problem;

import dev.slipway.problem.ConflictException;

/** An application name that is already taken: 409. */
public class ApplicationExistsException extends ConflictException {

  public ApplicationExistsException(String detail, String field) {
    super(detail, field);
  }

  @Override
  public String kind() {
    return "application-exists";
  }
}

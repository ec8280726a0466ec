package dev.slipway.trigger.problem;

import dev.slipway.problem.NotFoundException;

/** A role binding or identity link that does not exist: 404. */
public class AccessEntryNotFoundException extends NotFoundException {

  public AccessEntryNotFoundException(String detail) {
    super(detail);
  }
}

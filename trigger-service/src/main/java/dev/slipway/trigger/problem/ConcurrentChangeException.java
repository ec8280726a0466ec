package dev.slipway.trigger.problem;

import dev.slipway.problem.ConflictException;

/** An application changed by another request between this one's read and write: 409. */
public class ConcurrentChangeException extends ConflictException {

  public ConcurrentChangeException() {
    super("The application was changed by another request meanwhile; read it and retry.");
  }

  @Override
  public String kind() {
    return "concurrent-change";
  }
}

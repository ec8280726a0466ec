package dev.slipway.trigger.problem;

import dev.slipway.problem.TooLargeException;

/** A webhook body over the configured limit: 413. */
public class PayloadTooLargeException extends TooLargeException {

  public PayloadTooLargeException(String detail) {
    super(detail, null);
  }

  @Override
  public String kind() {
    return "payload-too-large";
  }
}

package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/** A webhook body over the configured limit: 413. */
public class PayloadTooLargeException extends ProblemException {

  public PayloadTooLargeException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 413;
  }

  @Override
  public String kind() {
    return "payload-too-large";
  }

  @Override
  public String title() {
    return "Payload too large";
  }
}

package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/**
 * An {@code Idempotency-Key} already used for a different request: 422, as the IETF draft on the
 * header prescribes, and nothing is run.
 */
public class IdempotencyKeyReusedException extends ProblemException {

  public IdempotencyKeyReusedException(String detail) {
    super(detail, "Idempotency-Key");
  }

  @Override
  public int status() {
    return 422;
  }

  @Override
  public String kind() {
    return "idempotency-key-reused";
  }
}

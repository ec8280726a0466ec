package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/** A webhook whose signature or token is missing or does not match a registered secret: 401. */
public class InvalidSignatureException extends ProblemException {

  public InvalidSignatureException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 401;
  }

  @Override
  public String kind() {
    return "invalid-signature";
  }
}

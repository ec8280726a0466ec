package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/**
 * The stored webhook secret of one application cannot be decrypted (its key is not configured, or
 * the row was altered): 500 for that application's webhooks only; an administrator sets the secret
 * again.
 */
public class SecretUnreadableException extends ProblemException {

  public SecretUnreadableException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 500;
  }

  @Override
  public String kind() {
    return "secret-unreadable";
  }
}

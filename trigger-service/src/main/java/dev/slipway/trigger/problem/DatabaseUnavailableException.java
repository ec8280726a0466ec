package dev.slipway.trigger.problem;

import dev.slipway.problem.UnavailableException;

/**
 * PostgreSQL could not take the write that accepts a request: 503 with Retry-After. The only reason
 * a valid webhook is not accepted, since Kafka is not needed to accept one.
 */
public class DatabaseUnavailableException extends UnavailableException {

  public DatabaseUnavailableException(String detail, int retryAfterSeconds) {
    super(detail, retryAfterSeconds, null);
  }

  @Override
  public String kind() {
    return "database-unavailable";
  }
}

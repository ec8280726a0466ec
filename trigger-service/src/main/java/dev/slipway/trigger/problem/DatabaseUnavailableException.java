package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;
import java.util.Map;

/**
 * PostgreSQL could not take the write that accepts a request: 503 with Retry-After. The only reason
 * a valid webhook is not accepted, since Kafka is not needed to accept one.
 */
public class DatabaseUnavailableException extends ProblemException {

  private final int retryAfterSeconds;

  public DatabaseUnavailableException(String detail, int retryAfterSeconds) {
    super(detail, null);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String kind() {
    return "database-unavailable";
  }

  @Override
  public String title() {
    return "Database unavailable";
  }

  @Override
  public Map<String, String> headers() {
    return Map.of("Retry-After", Integer.toString(retryAfterSeconds));
  }
}

package dev.slipway.problem;

import java.util.Map;

/**
 * The service cannot answer now (its database is away, say): 503 with {@code Retry-After}, the
 * cause logged under the answer's {@code errorId} and never shown to the caller.
 */
public class UnavailableException extends ProblemException {

  private final int retryAfterSeconds;

  public UnavailableException(String detail, int retryAfterSeconds, Throwable cause) {
    super(detail, null, cause);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  @Override
  public final int status() {
    return 503;
  }

  @Override
  public String kind() {
    return "unavailable";
  }

  @Override
  public Map<String, String> headers() {
    return Map.of("Retry-After", Integer.toString(retryAfterSeconds));
  }
}

package dev.slipway.trigger.problem;

import java.util.Map;

/** Kafka did not acknowledge a record in time: 503 with Retry-After, so the caller retries. */
public class KafkaUnavailableException extends ProblemException {

  private final int retryAfterSeconds;

  public KafkaUnavailableException(String detail, int retryAfterSeconds) {
    super(detail, null);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String kind() {
    return "kafka-unavailable";
  }

  @Override
  public String title() {
    return "Event log unavailable";
  }

  @Override
  public Map<String, String> headers() {
    return Map.of("Retry-After", Integer.toString(retryAfterSeconds));
  }
}

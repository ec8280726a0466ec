package dev.slipway.work.outbox;

import java.time.Duration;
import java.util.List;

/** Outbox settings for tests: the defaults of {@link OutboxSettings}, short where tests wait. */
record TestSettings(
    List<String> topics,
    int batchSize,
    Duration leaseDuration,
    Duration retention,
    Duration retentionInterval,
    Duration deliveryTimeout)
    implements OutboxSettings {

  static TestSettings of(String... topics) {
    return new TestSettings(
        List.of(topics),
        200,
        Duration.ofSeconds(3),
        Duration.ofDays(7),
        Duration.ofHours(1),
        Duration.ofSeconds(30));
  }

  TestSettings withBatchSize(int size) {
    return new TestSettings(
        topics, size, leaseDuration, retention, retentionInterval, deliveryTimeout);
  }

  TestSettings withRetention(Duration kept, Duration every) {
    return new TestSettings(topics, batchSize, leaseDuration, kept, every, deliveryTimeout);
  }

  @Override
  public Duration pollInterval() {
    return Duration.ofMillis(100);
  }

  @Override
  public Duration backoff() {
    return Duration.ofMillis(100);
  }

  @Override
  public Duration maxBackoff() {
    return Duration.ofSeconds(1);
  }

  @Override
  public Duration degradedAfter() {
    return Duration.ofMinutes(5);
  }

  @Override
  public Duration statsInterval() {
    return Duration.ofMillis(200);
  }

  @Override
  public Duration requestTimeout() {
    return Duration.ofSeconds(10);
  }

  @Override
  public Duration linger() {
    return Duration.ofMillis(5);
  }

  @Override
  public int maxRequestSize() {
    return 1_048_576;
  }
}

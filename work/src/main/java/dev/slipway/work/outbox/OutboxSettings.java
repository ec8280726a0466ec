package dev.slipway.work.outbox;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/**
 * The settings of a service's outbox and its relay, the same shape in every service under {@code
 * slipway.<service>.outbox}: the service's own {@code @ConfigMapping} declares {@code
 * OutboxSettings outbox();} and produces it as a bean. The Kafka producer of the relay is set up
 * here and nowhere else: {@code acks=all}, idempotence, at most 5 requests in flight (order kept),
 * and the timeouts below; everything else ({@code bootstrap.servers}, security) comes from the
 * service's {@code kafka.*} settings.
 */
public interface OutboxSettings {

  /** Topics this service publishes through its outbox; a row for another topic is parked. */
  List<String> topics();

  /** Most rows published in one round. */
  @WithDefault("200")
  int batchSize();

  /** How long the relay sleeps when it found nothing to publish (a commit wakes it sooner). */
  @WithDefault("500ms")
  Duration pollInterval();

  /** First pause after a round failed; doubles up to {@link #maxBackoff()}. */
  @WithDefault("200ms")
  Duration backoff();

  /** Longest pause after failed rounds. */
  @WithDefault("5s")
  Duration maxBackoff();

  /** How long the relay lease of one instance lasts unless renewed (one relay at a time). */
  @WithDefault("15s")
  Duration leaseDuration();

  /** Age of the oldest unsent row beyond which the outbox health check is DOWN, DEGRADED. */
  @WithDefault("5m")
  Duration degradedAfter();

  /** How often the outbox gauges (backlog, lag, parked) are refreshed. */
  @WithDefault("2s")
  Duration statsInterval();

  /** How long a published row is kept, for inspection; parked and unsent rows are kept. */
  @WithDefault("7d")
  Duration retention();

  /** How often published rows past their retention are deleted. */
  @WithDefault("1h")
  Duration retentionInterval();

  /** How long Kafka may take to answer one produce request before the producer retries it. */
  @WithDefault("30s")
  Duration requestTimeout();

  /**
   * How long the producer keeps retrying a record (without duplicates) before the relay gets it
   * back as failed: a broker outage shorter than this publishes every record exactly once.
   */
  @WithDefault("120s")
  Duration deliveryTimeout();

  /** How long the producer waits to fill a batch. */
  @WithDefault("5ms")
  Duration linger();

  /** Largest record the producer sends, in bytes; a larger one is parked. */
  @WithDefault("1048576")
  int maxRequestSize();
}

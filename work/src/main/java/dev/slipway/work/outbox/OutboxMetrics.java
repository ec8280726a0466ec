package dev.slipway.work.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outbox on {@code /q/metrics}, the same names in every service: {@code slipway_outbox_backlog}
 * (rows waiting), {@code slipway_outbox_lag_seconds} (age of the oldest), {@code
 * slipway_outbox_parked} (rows set aside), {@code slipway_outbox_published_total} by topic, and
 * {@code slipway_outbox_failures_total} by reason ({@code unacknowledged}: Kafka did not take a
 * record this round, it is retried; {@code refused}: Kafka can never take it, it was parked).
 */
@ApplicationScoped
public class OutboxMetrics {

  private final MeterRegistry registry;
  private final AtomicLong backlog = new AtomicLong();
  private final AtomicLong parked = new AtomicLong();
  private final AtomicReference<OffsetDateTime> oldest = new AtomicReference<>();
  private final Counter unacknowledged;
  private final Counter refused;

  public OutboxMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("slipway.outbox.backlog", backlog, AtomicLong::doubleValue)
        .description("Outbox rows not yet acknowledged by Kafka (parked ones not counted)")
        .register(registry);
    Gauge.builder("slipway.outbox.lag", this::lagSeconds)
        .description("Age of the oldest outbox row not yet acknowledged by Kafka")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("slipway.outbox.parked", parked, AtomicLong::doubleValue)
        .description("Outbox rows set aside because Kafka refuses them; see the admin API")
        .register(registry);
    unacknowledged = failures("unacknowledged");
    refused = failures("refused");
  }

  /** Kafka acknowledged {@code count} records of {@code topic}. */
  public void published(String topic, int count) {
    Counter.builder("slipway.outbox.published")
        .description("Outbox records Kafka acknowledged")
        .tag("topic", topic)
        .register(registry)
        .increment(count);
  }

  /** Kafka did not acknowledge a record this round; it stays and is sent again. */
  public void unacknowledged() {
    unacknowledged.increment();
  }

  /** Kafka refused a record for its content; it was parked. */
  public void refused() {
    refused.increment();
  }

  /** The backlog as last read. */
  public void backlog(OutboxStore.Backlog read) {
    backlog.set(read.unsent());
    parked.set(read.parked());
    oldest.set(read.oldest());
  }

  private Counter failures(String reason) {
    return Counter.builder("slipway.outbox.failures")
        .description("Outbox records Kafka did not take, by reason")
        .tag("reason", reason)
        .register(registry);
  }

  private double lagSeconds() {
    OffsetDateTime first = oldest.get();
    return first == null
        ? 0
        : Math.max(0, Duration.between(first, OffsetDateTime.now()).toMillis() / 1000.0);
  }
}

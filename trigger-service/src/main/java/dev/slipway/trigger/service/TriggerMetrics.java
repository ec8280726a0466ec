package dev.slipway.trigger.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * trigger-service's own metrics on /q/metrics: {@code slipway_webhooks_total} by provider, outcome
 * (accepted, duplicate, ignored, rejected) and reason; {@code
 * slipway_webhook_signature_checks_total} (HMACs and token comparisons made); the outbox relay's
 * lag {@code slipway_outbox_unsent}, {@code slipway_outbox_oldest_unsent_age_seconds}, {@code
 * slipway_outbox_published_total}, {@code slipway_outbox_parked_total} and {@code
 * slipway_publish_seconds} (time until Kafka acknowledged a record, a histogram); and {@code
 * slipway_registry_applications} held in the index.
 */
@ApplicationScoped
public class TriggerMetrics {

  /** Outcomes of a webhook. */
  public enum Outcome {
    ACCEPTED,
    DUPLICATE,
    IGNORED,
    REJECTED
  }

  private final MeterRegistry registry;
  private final AtomicLong unsent = new AtomicLong();
  private final AtomicReference<OffsetDateTime> oldestUnsent = new AtomicReference<>();
  private final Counter published;
  private final Counter parked;

  public TriggerMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("slipway.outbox.unsent", unsent, AtomicLong::doubleValue)
        .description("commit.received records in the outbox not yet acknowledged by Kafka")
        .register(registry);
    Gauge.builder("slipway.outbox.oldest.unsent.age", this::oldestUnsentAgeSeconds)
        .description("Age of the oldest commit.received record not yet acknowledged by Kafka")
        .baseUnit("seconds")
        .register(registry);
    published =
        Counter.builder("slipway.outbox.published")
            .description("Outbox records Kafka acknowledged")
            .register(registry);
    parked =
        Counter.builder("slipway.outbox.parked")
            .description("Outbox records set aside because Kafka can never take them")
            .register(registry);
  }

  /** Counts one webhook of {@code provider}. */
  public void webhook(String provider, Outcome outcome, String reason) {
    Counter.builder("slipway.webhooks")
        .description("Webhooks received, by provider, outcome and reason")
        .tag("provider", provider)
        .tag("outcome", outcome.name().toLowerCase())
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** Counts one signature check (an HMAC over the body, or a token comparison). */
  public void signatureChecked(String provider) {
    Counter.builder("slipway.webhook.signature.checks")
        .description("Webhook signatures computed and compared")
        .tag("provider", provider)
        .register(registry)
        .increment();
  }

  /** Records how long one publish to Kafka took and whether Kafka acknowledged it. */
  public void published(Duration latency, boolean acknowledged) {
    Timer.builder("slipway.publish")
        .description("Time until Kafka acknowledged a commit.received record")
        .tag("result", acknowledged ? "acked" : "failed")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(120))
        .register(registry)
        .record(latency);
    if (acknowledged) {
      published.increment();
    }
  }

  /** Counts one outbox record set aside. */
  public void parked() {
    parked.increment();
  }

  /** The outbox's backlog as last read. */
  public void backlog(long rows, OffsetDateTime oldest) {
    unsent.set(rows);
    oldestUnsent.set(oldest);
  }

  /** Reports the index's size through {@code size}. */
  public void registrySize(IntSupplier size) {
    Gauge.builder("slipway.registry.applications", size::getAsInt)
        .description("Applications in this instance's registry index")
        .register(registry);
  }

  private double oldestUnsentAgeSeconds() {
    OffsetDateTime oldest = oldestUnsent.get();
    return oldest == null
        ? 0
        : Math.max(0, Duration.between(oldest, OffsetDateTime.now()).toMillis() / 1000.0);
  }
}

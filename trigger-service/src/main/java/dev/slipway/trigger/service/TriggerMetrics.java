package dev.slipway.trigger.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * trigger-service's own metrics on /q/metrics: {@code slipway_webhooks_total} by provider, outcome
 * (accepted, duplicate, ignored, rejected) and reason, and {@code slipway_publish_seconds}, the
 * time Kafka took to acknowledge a commit.received, as a histogram.
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

  public TriggerMetrics(MeterRegistry registry) {
    this.registry = registry;
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

  /** Records how long one publish to Kafka took and whether Kafka acknowledged it. */
  public void published(Duration latency, boolean acknowledged) {
    Timer.builder("slipway.publish")
        .description("Time until Kafka acknowledged a commit.received record")
        .tag("result", acknowledged ? "acked" : "failed")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)
        .record(latency);
  }
}

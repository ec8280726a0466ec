package dev.slipway.trigger.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.IntSupplier;

/**
 * trigger-service's own metrics on /q/metrics: {@code slipway_webhooks_total} by provider, outcome
 * (accepted, duplicate, ignored, rejected) and reason; {@code
 * slipway_webhook_signature_checks_total} (HMACs and token comparisons made); {@code
 * slipway_webhook_group_commit_webhooks} (webhooks per transaction, {@link GroupCommit}); and
 * {@code slipway_registry_applications} held in the index. The outbox's metrics ({@code
 * slipway_outbox_*}) are the shared outbox's, the same in every service.
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

  /** Counts one signature check (an HMAC over the body, or a token comparison). */
  public void signatureChecked(String provider) {
    Counter.builder("slipway.webhook.signature.checks")
        .description("Webhook signatures computed and compared")
        .tag("provider", provider)
        .register(registry)
        .increment();
  }

  /** Reports the index's size through {@code size}. */
  /** One group-commit transaction that wrote {@code webhooks} webhooks. */
  public void groupCommit(int webhooks) {
    DistributionSummary.builder("slipway.webhook.group.commit.webhooks")
        .description("Webhooks written per transaction")
        .register(registry)
        .record(webhooks);
  }

  public void registrySize(IntSupplier size) {
    Gauge.builder("slipway.registry.applications", size::getAsInt)
        .description("Applications in this instance's registry index")
        .register(registry);
  }
}

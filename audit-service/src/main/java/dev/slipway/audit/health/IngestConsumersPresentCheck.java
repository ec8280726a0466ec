package dev.slipway.audit.health;

import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The ingest group's own check: DOWN until the ingest channel has Kafka consumers, and the moment
 * each consumer's own check is registered (consumers may come up after start-up).
 */
@HealthGroup(IngestConsumerHealthChecks.GROUP)
@ApplicationScoped
public class IngestConsumersPresentCheck implements HealthCheck {

  private final IngestConsumerHealthChecks consumers;

  public IngestConsumersPresentCheck(IngestConsumerHealthChecks consumers) {
    this.consumers = consumers;
  }

  @Override
  public HealthCheckResponse call() {
    consumers.registerConsumers();
    return HealthCheckResponse.named("Audit ingest consumers")
        .status(consumers.anyRegistered())
        .build();
  }
}

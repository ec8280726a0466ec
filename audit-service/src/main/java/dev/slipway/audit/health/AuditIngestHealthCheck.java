package dev.slipway.audit.health;

import dev.slipway.audit.messaging.IngestStatus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while a batch of records cannot be written to the audit store. */
@Readiness
@ApplicationScoped
public class AuditIngestHealthCheck implements HealthCheck {

  private final IngestStatus status;

  public AuditIngestHealthCheck(IngestStatus status) {
    this.status = status;
  }

  @Override
  public HealthCheckResponse call() {
    IngestStatus.Failing failing = status.failing();
    HealthCheckResponseBuilder response = HealthCheckResponse.named("Audit ingest");
    if (failing == null) {
      return response.up().build();
    }
    return response
        .down()
        .withData("failingSince", failing.since().toString())
        .withData("cause", failing.cause())
        .build();
  }
}

package dev.slipway.audit.health;

import dev.slipway.audit.service.CheckpointService;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The integrity of the log as the last checkpoint run found it ({@code /q/health/group/integrity}):
 * DOWN when the log no longer matches a signed checkpoint, when its tail was cut off, when the
 * service's role could rewrite history or when nothing can be signed.
 */
@HealthGroup("integrity")
@ApplicationScoped
public class CheckpointHealthCheck implements HealthCheck {

  private final CheckpointService checkpoints;

  public CheckpointHealthCheck(CheckpointService checkpoints) {
    this.checkpoints = checkpoints;
  }

  @Override
  public HealthCheckResponse call() {
    CheckpointService.Outcome outcome = checkpoints.outcome();
    return HealthCheckResponse.named("Audit log integrity")
        .status(outcome.healthy())
        .withData("detail", outcome.detail())
        .withData("checkedAt", outcome.at().toString())
        .build();
  }
}

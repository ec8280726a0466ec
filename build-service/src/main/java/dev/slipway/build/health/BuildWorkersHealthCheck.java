package dev.slipway.build.health;

import dev.slipway.build.service.BuildWorkers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while every build worker lives: a worker killed by an Error (an OutOfMemoryError) would
 * leave this instance claiming nothing, or less than it should, while looking healthy.
 */
@Readiness
@ApplicationScoped
public class BuildWorkersHealthCheck implements HealthCheck {

  private final BuildWorkers workers;

  public BuildWorkersHealthCheck(BuildWorkers workers) {
    this.workers = workers;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("build-workers");
    var dead = workers.deadWorkers();
    if (dead.isEmpty()) {
      return response.up().build();
    }
    dead.forEach(response::withData);
    return response.down().build();
  }
}

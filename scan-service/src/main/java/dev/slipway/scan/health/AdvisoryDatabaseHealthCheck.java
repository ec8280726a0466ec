package dev.slipway.scan.health;

import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.DatabaseState;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the advisory database on the readiness endpoint: its state, version and size, and why the
 * last configured import failed. The service stays ready while the database is EMPTY or FAILED (it
 * answers, and every scan it runs ends ERROR with the reason), so the check is DOWN only when the
 * state cannot be read at all.
 */
@Readiness
@ApplicationScoped
public class AdvisoryDatabaseHealthCheck implements AsyncHealthCheck {

  private final AdvisoryRepository advisories;

  public AdvisoryDatabaseHealthCheck(AdvisoryRepository advisories) {
    this.advisories = advisories;
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    return advisories
        .database()
        .ifNoItem()
        .after(Duration.ofSeconds(5))
        .fail()
        .map(AdvisoryDatabaseHealthCheck::up)
        .onFailure()
        .recoverWithItem(
            e ->
                HealthCheckResponse.named("advisory-database")
                    .down()
                    .withData("error", String.valueOf(e.getMessage()))
                    .build());
  }

  private static HealthCheckResponse up(DatabaseState state) {
    var builder =
        HealthCheckResponse.named("advisory-database")
            .up()
            .withData("state", state.state().name())
            .withData("version", state.version())
            .withData("advisories", state.advisories());
    if (state.reason() != null) {
      builder.withData("reason", state.reason());
    }
    return builder.build();
  }
}

package dev.slipway.trigger.health;

import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.repository.OutboxRepository;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether the outbox relay keeps up, in its own health group ({@code /q/health/group/outbox}), not
 * in readiness or liveness: webhooks are accepted durably while Kafka is away, so a backlog is no
 * reason to take the instance out of service or restart it. MicroProfile Health knows only UP and
 * DOWN; when the oldest unsent record is older than {@code slipway.trigger.outbox.degraded-after}
 * the check is DOWN with {@code state: DEGRADED}, otherwise UP with {@code state: OK}.
 */
@HealthGroup(OutboxHealthCheck.GROUP)
@ApplicationScoped
public class OutboxHealthCheck implements AsyncHealthCheck {

  /** The health group: {@code /q/health/group/outbox}. */
  public static final String GROUP = "outbox";

  private static final String NAME = "commit.received outbox";

  private final OutboxRepository outbox;
  private final Duration degradedAfter;

  public OutboxHealthCheck(OutboxRepository outbox, TriggerConfig config) {
    this.outbox = outbox;
    this.degradedAfter = config.outbox().degradedAfter();
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    return outbox
        .backlog()
        .map(
            backlog -> {
              long age =
                  backlog.oldest() == null
                      ? 0
                      : Math.max(
                          0, Duration.between(backlog.oldest(), OffsetDateTime.now()).toSeconds());
              boolean degraded = age > degradedAfter.toSeconds();
              return HealthCheckResponse.named(NAME)
                  .status(!degraded)
                  .withData("state", degraded ? "DEGRADED" : "OK")
                  .withData("unsent", backlog.unsent())
                  .withData("oldestUnsentAgeSeconds", age)
                  .withData("degradedAfterSeconds", degradedAfter.toSeconds())
                  .build();
            })
        .onFailure()
        .recoverWithItem(
            failure ->
                HealthCheckResponse.named(NAME)
                    .down()
                    .withData("state", "UNKNOWN")
                    .withData("error", String.valueOf(failure.getMessage()))
                    .build());
  }
}

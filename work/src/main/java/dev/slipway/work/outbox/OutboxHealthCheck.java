package dev.slipway.work.outbox;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether the outbox relay keeps up, in its own health group ({@code /q/health/group/outbox}), not
 * in readiness or liveness: a service accepts work while Kafka is away, so a backlog is no reason
 * to take an instance out of service or restart it. MicroProfile Health knows only UP and DOWN: the
 * check is DOWN with {@code state: DEGRADED} once the oldest unsent row is older than {@code
 * outbox.degraded-after}; UP with {@code state: DEGRADED} while rows are parked (the relay works,
 * an operator has rows to retry or drop); otherwise UP with {@code state: OK}.
 */
@HealthGroup(OutboxHealthCheck.GROUP)
@ApplicationScoped
public class OutboxHealthCheck implements AsyncHealthCheck {

  /** The health group: {@code /q/health/group/outbox}. */
  public static final String GROUP = "outbox";

  private static final String NAME = "outbox";

  private final OutboxStore store;
  private final Duration degradedAfter;

  public OutboxHealthCheck(OutboxStore store, OutboxSettings settings) {
    this.store = store;
    this.degradedAfter = settings.degradedAfter();
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    return store
        .backlog()
        .map(
            backlog -> {
              long age = ageSeconds(backlog.oldest());
              boolean lagging = age > degradedAfter.toSeconds();
              boolean degraded = lagging || backlog.parked() > 0;
              return HealthCheckResponse.named(NAME)
                  .status(!lagging)
                  .withData("state", degraded ? "DEGRADED" : "OK")
                  .withData("unsent", backlog.unsent())
                  .withData("parked", backlog.parked())
                  .withData("oldestUnsentAgeSeconds", age)
                  .withData("degradedAfterSeconds", degradedAfter.toSeconds())
                  .build();
            })
        .onFailure()
        .recoverWithItem(failure -> unknown(NAME, failure));
  }

  /** Seconds since {@code oldest} (a backlog's oldest row), 0 when nothing waits. */
  public static long ageSeconds(OffsetDateTime oldest) {
    return oldest == null
        ? 0
        : Math.max(0, Duration.between(oldest, OffsetDateTime.now()).toSeconds());
  }

  /** The answer of check {@code name} when its backlog could not be read: DOWN, state UNKNOWN. */
  public static HealthCheckResponse unknown(String name, Throwable failure) {
    return HealthCheckResponse.named(name)
        .down()
        .withData("state", "UNKNOWN")
        .withData("error", String.valueOf(failure.getMessage()))
        .build();
  }
}

package dev.slipway.trigger.health;

import dev.slipway.trigger.messaging.AccessPolicyRelay;
import dev.slipway.trigger.repository.AccessRepository;
import dev.slipway.work.outbox.OutboxHealthCheck;
import dev.slipway.work.outbox.OutboxSettings;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Whether access changes reach the other services, beside the outbox's check in the {@code outbox}
 * health group ({@code /q/health/group/outbox}) and read the same way: DOWN with {@code state:
 * DEGRADED} once the oldest unpublished change is older than the outbox's {@code degraded-after},
 * with the relay's last failure (e.g. Kafka refusing the policy record as too large). Each
 * access.policy record carries the whole policy, so a refused one cannot be parked and skipped:
 * every later change would be refused the same way. Until an operator acts, the other services
 * decide on the last policy they received.
 */
@HealthGroup(OutboxHealthCheck.GROUP)
@ApplicationScoped
public class AccessPolicyHealthCheck implements AsyncHealthCheck {

  private static final String NAME = "access-policy";

  private final AccessRepository repository;
  private final AccessPolicyRelay relay;
  private final Duration degradedAfter;

  public AccessPolicyHealthCheck(
      AccessRepository repository, AccessPolicyRelay relay, OutboxSettings settings) {
    this.repository = repository;
    this.relay = relay;
    this.degradedAfter = settings.degradedAfter();
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    return repository
        .backlog()
        .map(
            backlog -> {
              long age = OutboxHealthCheck.ageSeconds(backlog.oldest());
              boolean lagging = age > degradedAfter.toSeconds();
              HealthCheckResponseBuilder response =
                  HealthCheckResponse.named(NAME)
                      .status(!lagging)
                      .withData("state", lagging ? "DEGRADED" : "OK")
                      .withData("unsent", backlog.unsent())
                      .withData("oldestUnsentAgeSeconds", age)
                      .withData("degradedAfterSeconds", degradedAfter.toSeconds());
              relay.lastFailure().ifPresent(failure -> response.withData("lastError", failure));
              return response.build();
            })
        .onFailure()
        .recoverWithItem(failure -> OutboxHealthCheck.unknown(NAME, failure));
  }
}

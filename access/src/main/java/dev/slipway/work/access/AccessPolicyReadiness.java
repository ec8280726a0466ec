package dev.slipway.work.access;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the access policy of the service's start has been read. */
@Readiness
@ApplicationScoped
public class AccessPolicyReadiness implements HealthCheck {

  private final AccessPolicyFeed feed;

  public AccessPolicyReadiness(AccessPolicyFeed feed) {
    this.feed = feed;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("access-policy")
        .status(feed.caughtUp())
        .withData("version", feed.current().version())
        .build();
  }
}

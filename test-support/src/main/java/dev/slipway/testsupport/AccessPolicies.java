package dev.slipway.testsupport;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Publishes an access policy to {@code access.policy} as trigger-service would (the test acting as
 * its owner), and waits until the service under test decides with it. Versions grow with the clock,
 * so a later test's policy always replaces an earlier one.
 */
public final class AccessPolicies {

  private final Map<String, AccessPolicy.Application> applications = new LinkedHashMap<>();
  private final List<AccessPolicy.RoleBinding> bindings = new ArrayList<>();
  private final List<AccessPolicy.IdentityLink> identities = new ArrayList<>();

  private AccessPolicies() {}

  /** A policy to build. */
  public static AccessPolicies policy() {
    return new AccessPolicies();
  }

  /** {@code application} belongs to {@code team}. */
  public AccessPolicies application(String application, String team) {
    applications.put(
        application,
        new AccessPolicy.Application(
            team,
            "https://git.example/" + team + "/" + application,
            List.of(),
            new ScanPolicy(Severity.HIGH, true)));
    return this;
  }

  /**
   * {@code application} belongs to {@code team}, and enters {@code environment} by {@code
   * promotion}.
   */
  public AccessPolicies gated(
      String application,
      String team,
      String environment,
      dev.slipway.events.EnvironmentSpec.Promotion promotion) {
    applications.put(
        application,
        new AccessPolicy.Application(
            team,
            "https://git.example/" + team + "/" + application,
            List.of(new AccessPolicy.Gate(environment, promotion, 1, null)),
            new ScanPolicy(Severity.HIGH, true)));
    return this;
  }

  /** {@code group} holds {@code role} in the scope given (null: wider). */
  public AccessPolicies binding(
      String group, String role, String team, String application, String environment) {
    bindings.add(
        new AccessPolicy.RoleBinding(
            "rb-" + UUID.randomUUID().toString().substring(0, 8),
            1,
            group,
            role,
            team,
            application,
            environment));
    return this;
  }

  /** {@code user} is linked to these accounts and e-mails. */
  public AccessPolicies identity(
      String user, List<AccessPolicy.Account> accounts, List<String> emails) {
    identities.add(new AccessPolicy.IdentityLink(user, accounts, emails));
    return this;
  }

  /** Publishes the policy and waits until the service's readiness reports its version. */
  public AccessPolicy publish() {
    long version = System.currentTimeMillis();
    AccessPolicy policy =
        new AccessPolicy(
            version,
            applications,
            bindings,
            identities,
            new AccessPolicy.Change(
                "test", "test.policy", null, null, OffsetDateTime.now(ZoneOffset.UTC)));
    String id = Envelope.derivedId("access.policy", String.valueOf(version));
    KafkaTestClient.send(
        Topics.ACCESS_POLICY,
        new Envelope<>(
            id,
            "/slipway/trigger-service",
            EventType.ACCESS_POLICY.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            AccessPolicy.KEY,
            id,
            null,
            null,
            policy));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .body(
                        "checks.find { it.name == 'access-policy' }.data.version",
                        greaterThanOrEqualTo(version)));
    return policy;
  }
}

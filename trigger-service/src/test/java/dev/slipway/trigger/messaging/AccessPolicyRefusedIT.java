package dev.slipway.trigger.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An access.policy record Kafka refuses (here: a producer limit of 200 bytes, smaller than any
 * policy; in production a policy past 16 MiB) is not retried in silence: the {@code outbox} health
 * group shows the access-policy check DOWN with state DEGRADED, the unpublished changes and the
 * producer's reason, while pushes are still accepted and relayed.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@TestProfile(AccessPolicyRefusedIT.TinyPolicyRecords.class)
class AccessPolicyRefusedIT {

  /** The access-policy channel's producer refuses every record; degraded after 2 s. */
  public static class TinyPolicyRecords implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "mp.messaging.outgoing.access-policy.max.request.size", "200",
          "slipway.trigger.outbox.degraded-after", "2s");
    }
  }

  @Test
  void aRefusedPolicyShowsInHealthWithItsReasonAndPushesStillFlow() {
    String app = Webhooks.unique("refused-policy");
    String secret = "s3cret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonPath health =
                  given().get("/q/health/group/outbox").then().statusCode(503).extract().jsonPath();
              String check = "checks.find { it.name == 'access-policy' }";
              assertThat(health.getString(check + ".status")).isEqualTo("DOWN");
              assertThat(health.getString(check + ".data.state")).isEqualTo("DEGRADED");
              assertThat(health.getLong(check + ".data.unsent")).isPositive();
              assertThat(health.getString(check + ".data.lastError"))
                  .contains("RecordTooLargeException");
            });
    assertThat(
            Database.number(
                "SELECT count(*) FROM access_log WHERE sent_at IS NULL AND target = ?", app))
        .isEqualTo(1);

    // The refused policy holds back access changes only: a push is accepted and relayed.
    String runId =
        Webhooks.pushNewCommit(app, secret).then().statusCode(202).extract().path("runId");
    assertThat(runId).isNotBlank();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/group/outbox")
                    .then()
                    .body("checks.find { it.name == 'outbox' }.data.unsent", equalTo(0)));
  }
}

package dev.slipway.trigger.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.Topics;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * An access.policy record Kafka refuses is not retried in silence. Here the broker refuses it: the
 * topic's {@code max.message.bytes} is lowered to 64 bytes, smaller than any policy (in production:
 * a policy whose compressed batch passes the topic's limit). The {@code outbox} health group shows
 * the access-policy check DOWN with state DEGRADED, the unpublished change and the broker's reason,
 * while pushes are still accepted and relayed; once the topic takes the policy again the change is
 * published and the check is UP. The limit is the topic's, not a test profile's producer setting,
 * so the service runs exactly as configured (and the test needs no Quarkus restart of its own).
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class AccessPolicyRefusedIT {

  private static final String CHECK = "checks.find { it.name == 'access-policy' }";

  @Test
  void aRefusedPolicyShowsInHealthWithItsReasonAndPushesStillFlow() {
    String app = Webhooks.unique("refused-policy");
    String secret = "s3cret-" + app;
    topicLimit(AlterConfigOp.OpType.SET);
    try {
      Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonPath health =
                    given()
                        .get("/q/health/group/outbox")
                        .then()
                        .statusCode(503)
                        .extract()
                        .jsonPath();
                assertThat(health.getString(CHECK + ".status")).isEqualTo("DOWN");
                assertThat(health.getString(CHECK + ".data.state")).isEqualTo("DEGRADED");
                assertThat(health.getLong(CHECK + ".data.unsent")).isPositive();
                assertThat(health.getString(CHECK + ".data.lastError"))
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
    } finally {
      topicLimit(AlterConfigOp.OpType.DELETE);
    }

    // The topic takes it again: the change goes out on the relay's next round, the error is gone.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonPath health = given().get("/q/health/group/outbox").then().extract().jsonPath();
              assertThat(health.getString(CHECK + ".status")).isEqualTo("UP");
              assertThat(health.getString(CHECK + ".data.lastError")).isNull();
            });
    assertThat(
            Database.number(
                "SELECT count(*) FROM access_log WHERE sent_at IS NULL AND target = ?", app))
        .isZero();
  }

  /** Sets the access.policy topic's record limit to 64 bytes, or deletes the override. */
  private static void topicLimit(AlterConfigOp.OpType op) {
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ACCESS_POLICY);
    AlterConfigOp change =
        new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "64"), op);
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SlipwayInfrastructure.bootstrapServers()))) {
      admin.incrementalAlterConfigs(Map.of(topic, List.of(change))).all().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot change the access.policy topic's limit", e);
    }
  }
}

package dev.slipway.deploy.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class DeployRequestedConsumerTest {

  private final String viewer = TestTokens.token("vera", "viewer");

  @Test
  void deployRequestedQueuesOneRolloutEvenWhenDeliveredTwice() {
    String application = "app-" + UUID.randomUUID().toString().substring(0, 8);
    Envelope<DeployRequested> request =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/scan-service",
            EventType.DEPLOY_REQUESTED.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            application,
            UUID.randomUUID().toString(),
            UUID.randomUUID().toString(),
            SampleEvents.COMMIT,
            SampleEvents.deployRequested());

    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, request);
    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, request);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(viewer)
                    .queryParam("application", application)
                    .queryParam("environment", "dev")
                    .get("/api/rollouts")
                    .then()
                    .statusCode(200)
                    .body("$", hasSize(1))
                    .body("[0].imageDigest", equalTo(SampleEvents.DIGEST))
                    .body("[0].reason", equalTo("SCAN_PASSED"))
                    .body("[0].status", equalTo("QUEUED")));
  }

  @Test
  void requestMissingARequiredFieldGoesToTheDeadLetterTopicWithTheFieldNamed() {
    String key = "broken-" + UUID.randomUUID();
    String json =
        "{\"environment\":\"dev\",\"image\":\"r/app\",\"reason\":\"MANUAL\","
            + "\"requestedBy\":\"ada\"}";
    KafkaTestClient.sendRaw(Topics.DEPLOY_REQUESTED, key, json.getBytes(StandardCharsets.UTF_8));

    var dead =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    KafkaTestClient.read(
                            Topics.dlq(Topics.DEPLOY_REQUESTED), 1, Duration.ofSeconds(2))
                        .stream()
                        .filter(r -> key.equals(r.key()))
                        .findFirst(),
                found -> found.isPresent())
            .orElseThrow();

    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo(json);
    assertThat(KafkaTestClient.header(dead, "dead-letter-reason")).contains("imageDigest");
  }
}

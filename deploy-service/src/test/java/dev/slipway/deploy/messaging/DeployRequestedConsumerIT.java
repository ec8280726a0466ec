package dev.slipway.deploy.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.deploy.support.DeploySandboxResource;
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
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class DeployRequestedConsumerIT {

  @Test
  void deployRequestedRecordsOneRolloutEvenWhenDeliveredTwice() {
    String application = SampleEvents.newApplication();
    Envelope<DeployRequested> request =
        SampleEvents.forApplication(
            EventType.DEPLOY_REQUESTED, application, SampleEvents.deployRequested());

    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, request);
    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, request);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(TestTokens.token("vera", "viewer"))
                    .queryParam("application", application)
                    .queryParam("environment", "dev")
                    .get("/api/rollouts")
                    .then()
                    .statusCode(200)
                    .body("items", hasSize(1))
                    .body("items[0].imageDigest", equalTo(SampleEvents.DIGEST))
                    .body("items[0].id", equalTo(request.id()))
                    .body("items[0].reason", equalTo("SCAN_PASSED")));
  }

  @Test
  void requestMissingARequiredFieldGoesToTheDeadLetterTopicWithTheFieldNamed() {
    String key = "broken-" + UUID.randomUUID();
    byte[] broken =
        "{\"environment\":\"dev\",\"image\":\"r/app\",\"reason\":\"MANUAL\",\"requestedBy\":\"ada\"}"
            .getBytes(StandardCharsets.UTF_8);

    KafkaTestClient.sendRaw(Topics.DEPLOY_REQUESTED, key, broken);

    var dead =
        KafkaTestClient.awaitRecord(
            Topics.dlq(Topics.DEPLOY_REQUESTED), key, Duration.ofSeconds(30));
    assertThat(dead.value()).isEqualTo(broken);
    assertThat(KafkaTestClient.header(dead, "dead-letter-reason")).contains("imageDigest");
  }
}

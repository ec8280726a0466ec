package dev.slipway.scan.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class BuildDoneConsumerTest {

  @Test
  void successfulBuildBecomesOnePendingScanEvenWhenDeliveredTwice() {
    String application = SampleEvents.newApplication();
    Envelope<BuildDone> built = buildOf(application, SampleEvents.buildDone());

    KafkaTestClient.send(Topics.BUILD_DONE, built);
    KafkaTestClient.send(Topics.BUILD_DONE, built);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                scansOf(application)
                    .body("$", hasSize(1))
                    .body("[0].runId", equalTo(built.runId()))
                    .body("[0].imageDigest", equalTo(SampleEvents.DIGEST))
                    .body("[0].status", equalTo("PENDING")));
  }

  @Test
  void failedBuildIsConsumedWithoutAScan() {
    String application = SampleEvents.newApplication();
    BuildDone failed = SampleEvents.failedBuild();

    KafkaTestClient.send(Topics.BUILD_DONE, buildOf(application, failed));
    // A later successful build of the same application lands after it on the same partition.
    KafkaTestClient.send(Topics.BUILD_DONE, buildOf(application, SampleEvents.buildDone()));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> scansOf(application).body("$", hasSize(1)));
  }

  @Test
  void recordThatIsNotABuildDoneGoesToTheDeadLetterTopic() {
    String key = "broken-" + UUID.randomUUID();
    byte[] broken = "not json".getBytes(StandardCharsets.UTF_8);

    KafkaTestClient.sendRaw(Topics.BUILD_DONE, key, broken);

    var dead =
        KafkaTestClient.awaitRecord(Topics.dlq(Topics.BUILD_DONE), key, Duration.ofSeconds(30));
    assertThat(dead.value()).isEqualTo(broken);
  }

  private static Envelope<BuildDone> buildOf(String application, BuildDone build) {
    return SampleEvents.forApplication(EventType.BUILD_DONE, application, build);
  }

  private static ValidatableResponse scansOf(String application) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("application", application)
        .get("/api/scans")
        .then()
        .statusCode(200);
  }
}

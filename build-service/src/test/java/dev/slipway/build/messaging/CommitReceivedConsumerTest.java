package dev.slipway.build.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.events.CommitReceived;
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
class CommitReceivedConsumerTest {

  private final String viewer = TestTokens.token("vera", "viewer");

  @Test
  void commitReceivedQueuesOneBuildEvenWhenDeliveredTwice() {
    String application = "app-" + UUID.randomUUID().toString().substring(0, 8);
    Envelope<CommitReceived> event = commitOf(application);

    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(viewer)
                    .queryParam("application", application)
                    .get("/api/builds")
                    .then()
                    .statusCode(200)
                    .body("$", hasSize(1))
                    .body("[0].runId", equalTo(event.runId()))
                    .body("[0].commitSha", equalTo(SampleEvents.COMMIT))
                    .body("[0].status", equalTo("QUEUED")));
    // The duplicate was consumed too: a third, distinct event lands after it, still one per id.
    Envelope<CommitReceived> next = commitOf(application);
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, next);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(viewer)
                    .queryParam("application", application)
                    .get("/api/builds")
                    .then()
                    .body("$", hasSize(2)));
  }

  @Test
  void recordThatIsNotACommitReceivedGoesToTheDeadLetterTopic() {
    String key = "broken-" + UUID.randomUUID();
    KafkaTestClient.sendRaw(
        Topics.COMMIT_RECEIVED, key, "{\"provider\":42}".getBytes(StandardCharsets.UTF_8));

    var dead =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    KafkaTestClient.read(
                            Topics.dlq(Topics.COMMIT_RECEIVED), 1, Duration.ofSeconds(2))
                        .stream()
                        .filter(r -> key.equals(r.key()))
                        .findFirst(),
                found -> found.isPresent())
            .orElseThrow();

    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{\"provider\":42}");
    assertThat(KafkaTestClient.header(dead, "dead-letter-reason")).contains("provider");
  }

  private static Envelope<CommitReceived> commitOf(String application) {
    Envelope<CommitReceived> sample = SampleEvents.event(EventType.COMMIT_RECEIVED, null);
    return new Envelope<>(
        UUID.randomUUID().toString(),
        sample.source(),
        sample.type(),
        OffsetDateTime.now(ZoneOffset.UTC),
        application,
        UUID.randomUUID().toString(),
        null,
        sample.commitSha(),
        sample.data());
  }
}

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
import dev.slipway.testsupport.SlipwayInfrastructure;
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
class CommitReceivedConsumerIT {

  @Test
  void commitReceivedQueuesOneBuildEvenWhenDeliveredTwice() {
    String application = SampleEvents.newApplication();
    Envelope<CommitReceived> event = commitOf(application);

    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                buildsOf(application)
                    .body("items", hasSize(1))
                    .body("items[0].runId", equalTo(event.runId()))
                    .body("items[0].attempt", equalTo(1))
                    .body("items[0].commitSha", equalTo(SampleEvents.COMMIT)));
    // The duplicate was consumed too: a distinct event sent after it lands, still one per id.
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, commitOf(application));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> buildsOf(application).body("items", hasSize(2)));
  }

  @Test
  void commitReceivedWhileTheDatabaseIsDownIsQueuedOnceItIsBackAndNotDeadLettered()
      throws InterruptedException {
    String application = SampleEvents.newApplication();
    Envelope<CommitReceived> event = commitOf(application);

    SlipwayInfrastructure.stopPostgres();
    try {
      KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
      // Long enough for the consumer to receive the event and fail to write it a few times.
      Thread.sleep(3_000);
    } finally {
      SlipwayInfrastructure.startPostgres();
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> buildsOf(application).body("items[0].runId", equalTo(event.runId())));
    assertThat(KafkaTestClient.read(Topics.dlq(Topics.COMMIT_RECEIVED), 1, Duration.ofSeconds(2)))
        .noneMatch(record -> application.equals(record.key()));
  }

  @Test
  void recordThatIsNotACommitReceivedGoesToTheDeadLetterTopic() {
    String key = "broken-" + UUID.randomUUID();
    byte[] broken = "{\"provider\":42}".getBytes(StandardCharsets.UTF_8);

    KafkaTestClient.sendRaw(Topics.COMMIT_RECEIVED, key, broken);

    var dead =
        KafkaTestClient.awaitRecord(
            Topics.dlq(Topics.COMMIT_RECEIVED), key, Duration.ofSeconds(30));
    assertThat(dead.value()).isEqualTo(broken);
    assertThat(KafkaTestClient.header(dead, "dead-letter-reason")).contains("provider");
  }

  @Test
  void recordThePostgresRefusesForItsContentIsDeadLetteredAndTheNextOneIsBuilt() {
    // A valid event whose application name holds a NUL, which PostgreSQL text cannot store: no
    // retry could ever write it, so it must not hold its partition.
    String application = SampleEvents.newApplication();
    String poisoned = application + "\u0000poison";

    KafkaTestClient.send(Topics.COMMIT_RECEIVED, commitOf(poisoned));
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, commitOf(application));

    KafkaTestClient.awaitRecord(
        Topics.dlq(Topics.COMMIT_RECEIVED), poisoned, Duration.ofSeconds(30));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> buildsOf(application).body("items", hasSize(1)));
  }

  private static Envelope<CommitReceived> commitOf(String application) {
    return SampleEvents.forApplication(
        EventType.COMMIT_RECEIVED, application, SampleEvents.commitReceived());
  }

  private static ValidatableResponse buildsOf(String application) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("application", application)
        .get("/api/builds")
        .then()
        .statusCode(200);
  }
}

package dev.slipway.trigger.messaging;

import static dev.slipway.trigger.CommitTopic.header;
import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The outbox relay: records leave in the order they were accepted, a record Kafka can never take is
 * parked without holding up the ones behind it, and a relay lease held by another instance is
 * waited out and then taken over.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class CommitRelayIT {

  @Test
  void recordsOfOneApplicationLeaveInTheOrderTheyWereAccepted() {
    String app = Webhooks.unique("order");
    String secret = "order-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      accepted.add(
          Webhooks.pushNewCommit(app, secret).then().statusCode(202).extract().path("runId"));
    }

    assertThat(recordsOf(app).stream().map(r -> header(r, "ce_runid")))
        .containsExactlyElementsOf(accepted);
  }

  @Test
  void recordKafkaCanNeverTakeIsParkedAndTheRowsBehindItStillGoOut() {
    String app = Webhooks.unique("parked");
    String secret = "parked-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    // Written behind the service's back: its accept path cuts messages so records always fit.
    Envelope<CommitReceived> tooLarge = event(app, "m".repeat(2 * 1024 * 1024));
    Database.update(
        "INSERT INTO outbox (event_id, application, event) VALUES (?, ?, ?)",
        tooLarge.id(),
        app,
        new String(EventJson.writeEvent(tooLarge), StandardCharsets.UTF_8));
    String runId =
        Webhooks.pushNewCommit(app, secret).then().statusCode(202).extract().path("runId");

    var records = recordsOf(app);
    assertThat(records)
        .singleElement()
        .satisfies(r -> assertThat(header(r, "ce_runid")).isEqualTo(runId));
    assertThat(
            String.valueOf(
                Database.value("SELECT parked_why FROM outbox WHERE event_id = ?", tooLarge.id())))
        .contains("RecordTooLargeException");
    given().get("/q/metrics").then().body(containsString("slipway_outbox_parked_total"));
  }

  @Test
  void leaseOfAnotherInstanceIsWaitedOutThenTakenOver() {
    String app = Webhooks.unique("lease");
    String secret = "lease-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    // Another instance relays, and dies: its lease runs out in 4 seconds.
    Database.update(
        """
        INSERT INTO relay_lease (name, holder, expires_at) VALUES ('commit-received', 'dead', now() + interval '4 seconds')
        ON CONFLICT (name) DO UPDATE SET holder = 'dead', expires_at = now() + interval '4 seconds'
        """);
    Webhooks.pushNewCommit(app, secret).then().statusCode(202);

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> CommitTopic.unsent(app) == 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> CommitTopic.unsent(app) == 0);
    assertThat(recordsOf(app)).hasSize(1);
    assertThat(Database.value("SELECT holder FROM relay_lease WHERE name = 'commit-received'"))
        .isNotEqualTo("dead");
  }

  private static Envelope<CommitReceived> event(String app, String message) {
    String sha = Webhooks.newSha();
    return new Envelope<>(
        UUID.randomUUID().toString(),
        "/slipway/trigger-service",
        EventType.COMMIT_RECEIVED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        app,
        UUID.randomUUID().toString(),
        null,
        sha,
        new CommitReceived(
            "github",
            "d-1",
            "https://github.com/acme/" + app,
            "refs/heads/main",
            sha,
            new Person("Ada", null, null),
            message,
            "ada",
            new PipelineSnapshot(List.of(), new ScanPolicy(Severity.HIGH, false))));
  }
}

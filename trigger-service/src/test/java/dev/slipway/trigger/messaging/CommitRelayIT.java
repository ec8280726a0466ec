package dev.slipway.trigger.messaging;

import static dev.slipway.trigger.CommitTopic.header;
import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.AdminAction;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * commit.received through the shared outbox relay: records leave in the order they were accepted, a
 * record Kafka can never take is parked without holding up the ones behind it and an operator
 * retries or drops it through the admin API (audited), a relay lease held by another instance is
 * waited out and then taken over, and the trace context of the webhook request travels with its
 * record.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class CommitRelayIT {

  private static final String PARKED = "/api/admin/outbox/parked";
  private static final String VIEWER = TestTokens.token("vera", "viewer");

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
    Envelope<CommitReceived> tooLarge = parkTooLargeEvent(app);
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
    given().get("/q/metrics").then().body(containsString("slipway_outbox_parked "));
    given()
        .get("/q/health/group/outbox")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'outbox' }.data.state", equalTo("DEGRADED"))
        .body("checks.find { it.name == 'outbox' }.data.parked", equalTo(1));

    dropParked(tooLarge);
  }

  @Test
  void anOperatorRetriesOrDropsAParkedRowAndEitherIsAudited() {
    String app = Webhooks.unique("admin");
    Envelope<CommitReceived> tooLarge = parkTooLargeEvent(app);
    long row = parkedRowOf(tooLarge);
    given().auth().oauth2(VIEWER).get(PARKED).then().statusCode(403);
    given().get(PARKED).then().statusCode(401);
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .get(PARKED)
        .then()
        .statusCode(200)
        .body(
            "items.find { it.eventId == '" + tooLarge.id() + "' }.reason",
            containsString("RecordTooLarge"))
        .body(
            "items.find { it.eventId == '" + tooLarge.id() + "' }.topic",
            equalTo("commit.received"));

    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .post(PARKED + "/" + row + "/retry")
        .then()
        .statusCode(200)
        .body("eventId", equalTo(tooLarge.id()));
    // Still too large: the relay parks it again, anew.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Database.value("SELECT parked_at FROM outbox WHERE id = ?", row) != null);
    dropParked(tooLarge);

    await().atMost(Duration.ofSeconds(30)).until(() -> CommitTopic.unsent(app) == 0);
    var audited =
        CommitTopic.topicRecordsOf(Topics.ADMIN_ACTION, app).stream()
            .map(r -> EventJson.readPayload(r.value(), AdminAction.class))
            .toList();
    assertThat(audited)
        .extracting(AdminAction::action, AdminAction::actor, AdminAction::targetEventId)
        .containsExactly(
            tuple(AdminAction.Action.OUTBOX_RETRY, "root", tooLarge.id()),
            tuple(AdminAction.Action.OUTBOX_DROP, "root", tooLarge.id()));
    given().auth().oauth2(Webhooks.ADMIN).delete(PARKED + "/" + row).then().statusCode(404);
    given().auth().oauth2(Webhooks.ADMIN).delete(PARKED + "/x1").then().statusCode(400);
  }

  @Test
  void leaseOfAnotherInstanceIsWaitedOutThenTakenOver() {
    String app = Webhooks.unique("lease");
    String secret = "lease-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    // Another instance relays, and dies: its lease runs out in 4 seconds.
    Database.update(
        """
        INSERT INTO work_lease (name, holder, token, expires_at)
        VALUES ('outbox-relay', 'dead', nextval('work_lease_token'), now() + interval '4 seconds')
        ON CONFLICT (name) DO UPDATE
          SET holder = 'dead', token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
        """);
    Webhooks.pushNewCommit(app, secret).then().statusCode(202);

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> CommitTopic.unsent(app) == 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> CommitTopic.unsent(app) == 0);
    assertThat(recordsOf(app)).hasSize(1);
    assertThat(Database.value("SELECT holder FROM work_lease WHERE name = 'outbox-relay'"))
        .isNotEqualTo("dead");
  }

  @Test
  void theTraceContextOfTheWebhookRequestTravelsWithItsRecord() {
    String app = Webhooks.unique("traced");
    String secret = "traced-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String body = Webhooks.pushOfANewCommit(app);
    Map<String, String> headers =
        new HashMap<>(Webhooks.github("push", UUID.randomUUID().toString(), secret, body));
    headers.put("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");

    Webhooks.postFor("github", app, body, headers).then().statusCode(202);

    assertThat(recordsOf(app))
        .singleElement()
        .satisfies(r -> assertThat(header(r, "traceparent")).startsWith("00-" + traceId + "-"));
  }

  /** A record too large for Kafka, written behind the service's back (it cuts its own). */
  private static Envelope<CommitReceived> parkTooLargeEvent(String app) {
    Envelope<CommitReceived> tooLarge = event(app, "m".repeat(2 * 1024 * 1024));
    Database.update(
        "INSERT INTO outbox (event_id, topic, application, event) VALUES (?, ?, ?, ?)",
        tooLarge.id(),
        Topics.COMMIT_RECEIVED,
        app,
        new String(EventJson.writeEvent(tooLarge), StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(30)).until(() -> parkedRowOf(tooLarge) > 0);
    return tooLarge;
  }

  private static long parkedRowOf(Envelope<?> event) {
    return Database.number(
        "SELECT id FROM outbox WHERE event_id = ? AND parked_at IS NOT NULL", event.id());
  }

  /** Drops the parked row through the admin API, so the tests after this one see none. */
  private static void dropParked(Envelope<?> event) {
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .delete(PARKED + "/" + parkedRowOf(event))
        .then()
        .statusCode(200)
        .body("eventId", equalTo(event.id()));
    assertThat(Database.number("SELECT count(*) FROM outbox WHERE event_id = ?", event.id()))
        .isZero();
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

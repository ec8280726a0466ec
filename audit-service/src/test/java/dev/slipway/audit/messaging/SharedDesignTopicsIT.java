package dev.slipway.audit.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * The topics the shared design adds beyond the pipeline's five, and their dead-letter topics, are
 * audited like the others with no change to the service: {@code approval.decided} (deploy), {@code
 * vulnerability.found} (scan) and {@code admin.action} (an operator's act through a service's admin
 * API). Each event lands once with who and what extracted, and the run's timeline shows them after
 * the events that caused them, dead letters included.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class SharedDesignTopicsIT {

  private static final List<String> TOPICS =
      List.of("approval.decided", "vulnerability.found", "admin.action");

  private final String auditor = TestTokens.token("audrey", "auditor");

  @Test
  void approvalsFindingsAndAdminActionsLandInTheirRunsTimeline() throws Exception {
    List<String> all = new ArrayList<>(TOPICS);
    TOPICS.forEach(t -> all.add(t + ".dlq"));
    SlipwayInfrastructure.createTopics(all);
    String runId = UUID.randomUUID().toString();
    String deployDone = UUID.randomUUID().toString();
    String approval = UUID.randomUUID().toString();
    String finding = UUID.randomUUID().toString();
    String admin = UUID.randomUUID().toString();
    OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);

    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(
        event(
            "approval.decided",
            start.plusSeconds(1),
            approval,
            runId,
            deployDone,
            """
            {"approvalId":"ap-1","environment":"prod","imageDigest":"sha256:%s",\
            "decision":"APPROVED","decidedBy":"grace","reason":"reviewed"}"""
                .formatted("a".repeat(64))));
    records.add(
        event(
            "vulnerability.found",
            start.plusSeconds(2),
            finding,
            runId,
            deployDone,
            """
            {"environment":"prod","imageDigest":"sha256:%s","gatedAs":"CRITICAL",\
            "failOn":"HIGH","dbVersion":"osv-2025-03-01",\
            "finding":{"id":"GHSA-xxxx","severity":"CRITICAL","package":"lodash"}}"""
                .formatted("a".repeat(64))));
    records.add(
        event(
            "admin.action",
            start.plusSeconds(3),
            admin,
            runId,
            finding,
            """
            {"service":"deploy-service","action":"OUTBOX_RETRY","actor":"olga",\
            "targetEventId":"%s","targetTopic":"deploy.done","detail":"parked: too large"}"""
                .formatted(deployDone)));
    // A consumer that could not read one of them dead-letters it with the original headers.
    for (int i = 0; i < TOPICS.size(); i++) {
      String topic = TOPICS.get(i);
      ProducerRecord<byte[], byte[]> letter =
          event(
              topic + ".dlq",
              start.plusSeconds(4 + i),
              UUID.randomUUID().toString(),
              runId,
              admin,
              "{\"broken\":");
      letter
          .headers()
          .add(new RecordHeader("dead-letter-reason", AuditTestData.bytes("not JSON")))
          .add(new RecordHeader("dead-letter-topic", AuditTestData.bytes(topic)));
      records.add(letter);
    }
    AuditTestData.produce(records);

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(auditor)
                    .get("/api/audit/runs/" + runId)
                    .then()
                    .statusCode(200)
                    .body("events", hasSize(6)));
    given()
        .auth()
        .oauth2(auditor)
        .get("/api/audit/runs/" + runId)
        .then()
        .body(
            "events.topic",
            contains(
                "approval.decided",
                "vulnerability.found",
                "admin.action",
                "approval.decided.dlq",
                "vulnerability.found.dlq",
                "admin.action.dlq"))
        .body("events[0].type", equalTo("dev.slipway.approval.decided.v1"))
        .body("events[0].environment", equalTo("prod"))
        .body("events[0].event.data.decision", equalTo("APPROVED"))
        .body("events[1].environment", equalTo("prod"))
        .body("events[1].event.data.finding.id", equalTo("GHSA-xxxx"))
        .body("events[2].actor", equalTo("olga"))
        .body("events[2].event.data.action", equalTo("OUTBOX_RETRY"))
        .body("events[3].quarantined", equalTo(false))
        .body("events[3].eventId", notNullValue())
        .body("events[3].headers.dead-letter-reason", equalTo("not JSON"))
        .body("events[3].problem", equalTo("value is not JSON; kept as data_base64"));
    given().auth().oauth2(auditor).get("/api/audit/verify").then().body("status", equalTo("OK"));
  }

  private static ProducerRecord<byte[], byte[]> event(
      String topic, OffsetDateTime time, String id, String runId, String causationId, String data) {
    String base = topic.endsWith(".dlq") ? topic.substring(0, topic.length() - 4) : topic;
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, AuditTestData.bytes("shop"), AuditTestData.bytes(data));
    header(record, "ce_specversion", "1.0");
    header(record, "ce_id", id);
    header(record, "ce_source", "/slipway/test");
    header(record, "ce_type", "dev.slipway." + base + ".v1");
    header(record, "ce_time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time));
    header(record, "ce_subject", "shop");
    header(record, "ce_runid", runId);
    header(record, "ce_causationid", causationId);
    return record;
  }

  private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
    record.headers().add(new RecordHeader(name, AuditTestData.bytes(value)));
  }
}

package dev.slipway.audit.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * Crafted records on a real topic, one after the other on one partition: each is stored (as an
 * event with its problem, or quarantined), the partition is never blocked, the record after them is
 * stored too, and every endpoint reads every one of them back.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class PoisonRecordIngestIT {

  private static final String LONG = "x".repeat(3000);

  private final String auditor = TestTokens.token("audrey", "auditor");

  @Test
  void noRecordStopsIngestAndEveryStoredRowReadsBack() throws Exception {
    String topic = "poison.run-" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin =
        Admin.create(Map.of("bootstrap.servers", SlipwayInfrastructure.bootstrapServers()))) {
      // One partition keeps the records in order; any producer timestamp is accepted.
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1)
                      .configs(
                          Map.of(
                              "message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE)))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    String goodRun = "run-" + UUID.randomUUID();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(record(topic, headers("n1", "app", "run-1", true), "{\"n\":1e2000000000}", null));
    records.add(record(topic, headers("n2", "app", "run-2", true), "{\"n\":1e131072}", null));
    records.add(record(topic, headers(LONG, "app", "run-3", true), "{\"n\":3}", null));
    records.add(record(topic, headers("s4", LONG, "run-4", true), "{\"n\":4}", null));
    records.add(record(topic, headers("r5", "app", LONG, true), "{\"n\":5}", null));
    records.add(
        record(topic, headers("t6", "app", "run-6", false), "{\"n\":6}", Long.MAX_VALUE / 2));
    List<RecordHeader> repeated = headers("d7", "app", "run-7", true);
    repeated.add(new RecordHeader("ce_id", AuditTestData.bytes("d7-again")));
    records.add(record(topic, repeated, "{\"n\":7}", null));
    records.add(record(topic, headers("good", "app", goodRun, true), "{\"n\":8}", null));
    AuditTestData.produce(records);

    JsonPath rows = AuditTestData.awaitTopicRows(auditor, topic, 8);

    assertThat(rows.getList("items.offset", Long.class))
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(rows.getList("items.quarantined", Boolean.class))
        .containsExactly(true, true, false, false, false, false, true, false);
    assertThat(rows.getString("items[0].problem")).contains("number");
    assertThat(rows.getString("items[2].problem")).contains("ce_id is longer than 256 bytes");
    assertThat(rows.getString("items[3].problem")).contains("ce_subject is longer than 256 bytes");
    assertThat(rows.getString("items[4].problem")).contains("ce_runid is longer than 256 bytes");
    assertThat(rows.getString("items[5].problem")).contains("Kafka timestamp");
    assertThat(rows.getString("items[6].problem")).contains("ce_id appears 2 times");
    assertThat(rows.getString("items[7].problem")).isNull();
    assertThat(rows.getString("items[0].event.quarantined.value_base64"))
        .isEqualTo(
            Base64.getEncoder()
                .encodeToString("{\"n\":1e2000000000}".getBytes(StandardCharsets.UTF_8)));

    long first = rows.getLong("items[0].seq");
    long last = rows.getLong("items[7].seq");
    given().auth().oauth2(auditor).get("/api/audit/runs/" + goodRun).then().statusCode(200);
    String export =
        given()
            .auth()
            .oauth2(auditor)
            .queryParam("fromSeq", first)
            .queryParam("toSeq", last)
            .get("/api/audit/export")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(export.split("\n")).hasSize((int) (last - first + 2));
    given()
        .auth()
        .oauth2(auditor)
        .queryParam("format", "csv")
        .queryParam("fromSeq", first)
        .queryParam("toSeq", last)
        .get("/api/audit/export")
        .then()
        .statusCode(200);
    JsonPath verified =
        given()
            .auth()
            .oauth2(auditor)
            .get("/api/audit/verify?from=" + first + "&to=" + last)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(verified.getString("status")).isEqualTo("OK");
  }

  private static List<RecordHeader> headers(
      String id, String subject, String runId, boolean withTime) {
    List<RecordHeader> headers = new ArrayList<>();
    headers.add(new RecordHeader("ce_specversion", AuditTestData.bytes("1.0")));
    headers.add(new RecordHeader("ce_id", AuditTestData.bytes(id)));
    headers.add(new RecordHeader("ce_source", AuditTestData.bytes("/slipway/poison-test")));
    headers.add(new RecordHeader("ce_type", AuditTestData.bytes("dev.slipway.poison.run.v1")));
    if (withTime) {
      headers.add(new RecordHeader("ce_time", AuditTestData.bytes("2026-03-01T10:00:00Z")));
    }
    headers.add(new RecordHeader("ce_subject", AuditTestData.bytes(subject)));
    headers.add(new RecordHeader("ce_runid", AuditTestData.bytes(runId)));
    return headers;
  }

  private static ProducerRecord<byte[], byte[]> record(
      String topic, List<RecordHeader> headers, String value, Long timestamp) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic, 0, timestamp, AuditTestData.bytes("poison"), AuditTestData.bytes(value));
    headers.forEach(record.headers()::add);
    return record;
  }
}

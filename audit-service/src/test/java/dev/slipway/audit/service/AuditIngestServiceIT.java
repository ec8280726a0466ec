package dev.slipway.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.service.AuditIngestService.Outcome;
import dev.slipway.audit.service.AuditIngestService.Pending;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A record PostgreSQL refuses, whatever the reason the reader did not foresee, is found by halving
 * the batch and stored quarantined in its place; the others are stored in order around it.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditIngestServiceIT {

  @Inject AuditIngestService ingest;

  @Test
  void aRecordPostgresqlRefusesIsQuarantinedInItsPlace() throws Exception {
    String application = "refused-" + UUID.randomUUID().toString().substring(0, 8);
    List<AuditRecord> records =
        AuditTestData.records("test.refused", application, 7, OffsetDateTime.now(ZoneOffset.UTC));
    AuditRecord good = records.get(4);
    // An event id past the bounded column: the table's CHECK constraint refuses the row.
    AuditRecord refused =
        new AuditRecord(
            good.topic(),
            good.topicId(),
            good.partition(),
            good.offset(),
            good.key(),
            "x".repeat(300),
            good.type(),
            good.source(),
            good.application(),
            good.runId(),
            null,
            good.commitSha(),
            null,
            null,
            null,
            good.eventTime(),
            false,
            null,
            good.event(),
            null);
    List<Pending> batch = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      AuditRecord r = i == 4 ? refused : records.get(i);
      batch.add(new Pending(r, reason -> quarantined(r, reason)));
    }

    Outcome outcome = ingest.store(batch);

    assertThat(outcome.appended()).isEqualTo(6);
    assertThat(outcome.quarantined()).isEqualTo(1);
    List<String> stored = new ArrayList<>();
    try (Connection c = AuditTestData.admin();
        Statement sql = c.createStatement();
        ResultSet rows =
            sql.executeQuery(
                "SELECT kafka_offset, quarantined, problem FROM audit_events WHERE topic_id = '"
                    + good.topicId()
                    + "' ORDER BY seq")) {
      while (rows.next()) {
        stored.add(rows.getLong(1) + ":" + rows.getBoolean(2));
        if (rows.getBoolean(2)) {
          assertThat(rows.getString(3)).contains("PostgreSQL refused the record");
        }
      }
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      expected.add(records.get(i).offset() + ":" + (i == 4));
    }
    assertThat(stored).containsExactlyElementsOf(expected);
  }

  private static AuditRecord quarantined(AuditRecord r, String reason) {
    return AuditRecord.quarantined(
        r.topic(),
        r.topicId(),
        r.partition(),
        r.offset(),
        r.eventTime(),
        reason,
        JsonNodeFactory.instance.objectNode().put("reason", reason));
  }
}

package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditExportTest {

  private static final int ROWS = 25;

  private final String auditor = TestTokens.token("audrey", "auditor");

  @Inject AuditEventRepository repository;

  private OffsetDateTime from;
  private String application;

  @BeforeEach
  void rowsInAWindowOfTheirOwn() {
    // A window in 2031 that no other test writes into.
    from =
        OffsetDateTime.of(2031, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)
            .plusHours(ThreadLocalRandom.current().nextInt(0, 24 * 300));
    application = "export-" + UUID.randomUUID().toString().substring(0, 8);
    repository
        .append(AuditTestData.records("test.export", application, ROWS, from))
        .await()
        .indefinitely();
  }

  @Test
  void ndjsonHasOneEventPerLineInChainOrder() throws Exception {
    String body =
        given()
            .auth()
            .oauth2(auditor)
            .queryParam("format", "ndjson")
            .queryParam("from", from.toString())
            .queryParam("to", from.plusMinutes(1).toString())
            .get("/api/audit/export")
            .then()
            .statusCode(200)
            .contentType("application/x-ndjson")
            .extract()
            .asString();

    String[] lines = body.split("\n");
    assertThat(lines).hasSize(ROWS);
    List<Long> seqs = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (String line : lines) {
      JsonNode row = mapper.readTree(line);
      assertThat(row.get("application").asText()).isEqualTo(application);
      assertThat(row.get("hash").asText()).hasSize(64);
      assertThat(row.get("event").get("data").get("note").asText()).contains("räksmörgås");
      seqs.add(row.get("seq").asLong());
    }
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void csvHasAHeaderAndOneQuotedRowPerEvent() {
    String body =
        given()
            .auth()
            .oauth2(auditor)
            .queryParam("format", "csv")
            .queryParam("from", from.toString())
            .queryParam("to", from.plusMinutes(1).toString())
            .get("/api/audit/export")
            .then()
            .statusCode(200)
            .contentType("text/csv")
            .header("Content-Disposition", "attachment; filename=\"audit.csv\"")
            .extract()
            .asString();

    String[] lines = body.split("\r\n");
    assertThat(lines).hasSize(ROWS + 1);
    assertThat(lines[0]).startsWith("seq,recorded_at,event_time,topic,partition,offset,");
    assertThat(lines[1]).contains("," + application + ",").contains("\\\"\"quoted\\\"\"");
  }
}

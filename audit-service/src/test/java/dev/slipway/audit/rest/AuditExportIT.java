package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.merkle.CompactRange;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditExportIT {

  private static final int ROWS = 25;

  private final String auditor = TestTokens.token("audrey", "auditor");
  private final ObjectMapper mapper = new ObjectMapper();

  @Inject AuditStoreWriter writer;

  private OffsetDateTime from;
  private String application;

  @BeforeEach
  void rowsInAWindowOfTheirOwn() {
    // A window in 2031 that no other test writes into.
    from =
        OffsetDateTime.of(2031, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)
            .plusHours(ThreadLocalRandom.current().nextInt(0, 24 * 300));
    application = "export-" + UUID.randomUUID().toString().substring(0, 8);
    writer.append(AuditTestData.records("test.export", application, ROWS, from));
  }

  @Test
  void ndjsonHasOneEventPerLineInLogOrderThenATrailerThatProvesIt() throws Exception {
    List<String> lines = ndjson("from", from.toString(), "to", from.plusMinutes(1).toString());

    assertThat(lines).hasSize(ROWS + 1);
    List<Long> seqs = new ArrayList<>();
    CompactRange root = CompactRange.empty();
    for (String line : lines.subList(0, ROWS)) {
      JsonNode row = mapper.readTree(line);
      assertThat(row.get("application").asText()).isEqualTo(application);
      assertThat(row.get("hash").asText()).hasSize(64);
      assertThat(row.get("event").get("data").get("note").asText()).contains("räksmörgås");
      seqs.add(row.get("seq").asLong());
      root.append(HexFormat.of().parseHex(row.get("leafHash").asText()));
    }
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    JsonNode trailer = mapper.readTree(lines.get(ROWS)).get("trailer");
    assertThat(trailer.get("rows").asLong()).isEqualTo(ROWS);
    assertThat(trailer.get("firstSeq").asLong()).isEqualTo(seqs.get(0));
    assertThat(trailer.get("lastSeq").asLong()).isEqualTo(seqs.get(ROWS - 1));
    assertThat(trailer.get("contiguous").asBoolean()).isFalse();
    assertThat(trailer.get("rangeRoot").asText()).isEqualTo(HexFormat.of().formatHex(root.root()));
  }

  @Test
  void aSeqRangeIsContiguousAndCarriesTheTreeBeforeIt() throws Exception {
    long first = seqsOf(application).get(0);
    long last = first + 9;

    List<String> lines = ndjson("fromSeq", String.valueOf(first), "toSeq", String.valueOf(last));

    assertThat(lines).hasSize(11);
    JsonNode trailer = mapper.readTree(lines.get(10)).get("trailer");
    assertThat(trailer.get("contiguous").asBoolean()).isTrue();
    assertThat(trailer.get("firstSeq").asLong()).isEqualTo(first);
    assertThat(trailer.get("lastSeq").asLong()).isEqualTo(last);
    // The prefix and the rows give the log's root at lastSeq, which a proof confirms.
    List<byte[]> frontier = new ArrayList<>();
    trailer.get("prefix").get("frontier").forEach(h -> frontier.add(hex(h.asText())));
    CompactRange log = CompactRange.of(first - 1, frontier);
    for (String line : lines.subList(0, 10)) {
      log.append(hex(mapper.readTree(line).get("leafHash").asText()));
    }
    String rootAtLast =
        given()
            .auth()
            .oauth2(auditor)
            .queryParam("seq", last)
            .queryParam("treeSize", last)
            .get("/api/audit/proof/inclusion")
            .then()
            .statusCode(200)
            .extract()
            .path("rootHash");
    assertThat(HexFormat.of().formatHex(log.root())).isEqualTo(rootAtLast);
  }

  @Test
  void csvTellsNullFromEmptyAndDisarmsFormulas() {
    ObjectNode event = JsonNodeFactory.instance.objectNode().put("id", "csv");
    OffsetDateTime at = from.plusMinutes(5);
    writer.append(
        List.of(
            new AuditRecord(
                "test.export",
                UUID.randomUUID().toString(),
                0,
                1L,
                "",
                "csv-" + UUID.randomUUID(),
                null,
                "/slipway/test",
                application,
                "=HYPERLINK(\"http://evil\")",
                null,
                null,
                null,
                "@SUM(A1)",
                "-2+3",
                at,
                false,
                null,
                event,
                null)));

    String body =
        given()
            .auth()
            .oauth2(auditor)
            .queryParam("format", "csv")
            .queryParam("from", at.toString())
            .queryParam("to", at.plusSeconds(1).toString())
            .get("/api/audit/export")
            .then()
            .statusCode(200)
            .contentType("text/csv")
            .header("Content-Disposition", "attachment; filename=\"audit.csv\"")
            .extract()
            .asString();

    String[] lines = body.split("\r\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith("seq,recorded_at,conflict_of,topic,topic_id,");
    // record_key is empty (""), conflict_of and type are absent (nothing between the commas).
    String row = lines[1];
    assertThat(row).contains(",,\"test.export\",");
    assertThat(row).contains(",\"\",\"csv-");
    assertThat(row).contains("\"'=HYPERLINK(\"\"http://evil\"\")\"");
    assertThat(row).contains("\"'@SUM(A1)\",\"'-2+3\"");
  }

  @Test
  void abortedDownloadsGiveTheirConnectionsBackAtOnce() throws Exception {
    String app = "abort-" + UUID.randomUUID().toString().substring(0, 8);
    writer.append(AuditTestData.records("test.abort", app, 3000, from.plusDays(1)));
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);

    for (int i = 0; i < 25; i++) {
      try (Socket socket = new Socket("localhost", port)) {
        OutputStream out = socket.getOutputStream();
        out.write(
            ("GET /api/audit/export?format=ndjson HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer "
                    + auditor
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] some = new byte[4096];
        assertThat(in.read(some)).isPositive();
      }
    }

    // Nothing is left holding a snapshot open, and ingest and queries go on.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        AuditTestData.count(
                            "SELECT count(*) FROM pg_stat_activity WHERE usename = '"
                                + AuditTestResource.APP_ROLE
                                + "' AND state = 'idle in transaction'"))
                    .isZero());
    String later = "after-abort-" + UUID.randomUUID().toString().substring(0, 8);
    writer.append(AuditTestData.records("test.abort", later, 3, from.plusDays(2)));
    assertThat(seqsOf(later)).hasSize(3);
    assertThat(ndjson("fromSeq", String.valueOf(seqsOf(later).get(0)))).hasSizeGreaterThan(3);
  }

  private List<String> ndjson(String... params) {
    var request = given().auth().oauth2(auditor).queryParam("format", "ndjson");
    for (int i = 0; i < params.length; i += 2) {
      request.queryParam(params[i], params[i + 1]);
    }
    String body =
        request
            .get("/api/audit/export")
            .then()
            .statusCode(200)
            .contentType("application/x-ndjson")
            .extract()
            .asString();
    return List.of(body.split("\n"));
  }

  private List<Long> seqsOf(String app) {
    return given()
        .auth()
        .oauth2(auditor)
        .queryParam("application", app)
        .queryParam("order", "asc")
        .queryParam("limit", 1000)
        .get("/api/audit/events")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("items.seq", Long.class);
  }

  private static byte[] hex(String text) {
    return HexFormat.of().parseHex(text);
  }
}

package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.audit.service.AuditExportFormat;
import dev.slipway.audit.service.AuditExporter;
import dev.slipway.audit.service.CheckpointService;
import dev.slipway.launcher.AuditVerifyCommand;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The offline verifier ({@code ./slipway audit-verify}, in the launcher, sharing no code with the
 * service) against real exports and the checkpoint the service wrote to its file: a complete export
 * verifies; an edited row, a cut-off download, a partial range and a tail cut off the database are
 * each told apart.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class OfflineVerifierIT {

  private final String auditor = TestTokens.token("audrey", "auditor");

  @Inject AuditStoreWriter writer;
  @Inject CheckpointService checkpoints;
  @Inject AuditExporter exporter;

  private Path dir;
  private Path checkpoint;
  private String key;

  @BeforeEach
  void aCheckpointOfTheWholeLog() throws Exception {
    writer.append(
        AuditTestData.records(
            "test.offline",
            "offline-" + UUID.randomUUID().toString().substring(0, 8),
            12,
            OffsetDateTime.now(ZoneOffset.UTC)));
    long tail = AuditTestData.count("SELECT max(seq) FROM audit_events");
    Checkpoint latest = null;
    for (int run = 0; run < 1000 && (latest == null || latest.treeSize() < tail); run++) {
      latest = checkpoints.checkpoint().orElse(null);
      assertThat(checkpoints.outcome().healthy()).as(checkpoints.outcome().detail()).isTrue();
    }
    dir = Files.createTempDirectory(Path.of("target"), "offline-verify");
    checkpoint = Files.copy(AuditTestResource.CHECKPOINT_FILE, dir.resolve("checkpoint"));
    key =
        given()
            .auth()
            .oauth2(auditor)
            .get("/api/audit/checkpoint/key")
            .then()
            .statusCode(200)
            .extract()
            .path("verifierKey");
  }

  @Test
  void aCompleteExportVerifiesAgainstTheSignedCheckpoint() throws Exception {
    Path export = export("all.ndjson");

    Verified verified = verify(export, "--key", key);

    assertThat(verified.ok()).as(verified.output()).isTrue();
    assertThat(verified.output()).contains("signature verified").endsWith("OK\n");
    assertThat(verify(export).ok()).as("no key: the signature is not checked").isFalse();
  }

  @Test
  void anEditedRowIsFound() throws Exception {
    Path export = export("edited.ndjson");
    List<String> lines = new ArrayList<>(Files.readAllLines(export));
    int row = lines.size() / 2;
    lines.set(row, lines.get(row).replaceFirst("\"topic\":\"", "\"topic\":\"x"));
    Files.write(export, lines);

    Verified verified = verify(export, "--key", key);

    assertThat(verified.ok()).isFalse();
    assertThat(verified.output()).contains("was changed");
  }

  @Test
  void aCutOffDownloadIsFound() throws Exception {
    Path export = export("cut.ndjson");
    List<String> lines = Files.readAllLines(export);
    Files.write(export, lines.subList(0, lines.size() - 3));

    Verified verified = verify(export, "--key", key);

    assertThat(verified.ok()).isFalse();
    assertThat(verified.output()).contains("no trailer");
  }

  @Test
  void aRangeFromTheMiddleVerifiesThroughItsPrefix() throws Exception {
    Path export = export("range.ndjson", "fromSeq", "5");

    Verified verified = verify(export, "--key", key);

    assertThat(verified.ok()).as(verified.output()).isTrue();
  }

  @Test
  void aTailCutOffTheDatabaseIsFoundAgainstTheEarlierCheckpoint() throws Exception {
    AuditTestData.withAppendsHeld(
        () -> {
          long tail = AuditTestData.count("SELECT max(seq) FROM audit_events");
          AuditTestData.tamper(
              "CREATE TABLE offline_cut AS SELECT * FROM audit_events WHERE seq > " + (tail - 5),
              "DELETE FROM audit_events WHERE seq > " + (tail - 5));
          try {
            // Served straight from the snapshot: recording the read would wait for the held lock.
            Path export = dir.resolve("truncated.ndjson");
            try (var out = Files.newBufferedWriter(export)) {
              exporter.export(
                  new AuditExporter.Range(null, null, null, null), AuditExportFormat.NDJSON, out);
            }
            Verified verified = verify(export, "--key", key);
            assertThat(verified.ok()).isFalse();
            assertThat(verified.output()).contains("are missing");
          } finally {
            AuditTestData.tamper(
                "INSERT INTO audit_events SELECT * FROM offline_cut", "DROP TABLE offline_cut");
          }
          return null;
        });
  }

  private record Verified(boolean ok, String output) {}

  private Path export(String name, String... params) throws Exception {
    var request = given().auth().oauth2(auditor).queryParam("format", "ndjson");
    for (int i = 0; i < params.length; i += 2) {
      request.queryParam(params[i], params[i + 1]);
    }
    byte[] body = request.get("/api/audit/export").then().statusCode(200).extract().asByteArray();
    return Files.write(dir.resolve(name), body);
  }

  private Verified verify(Path export, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of(export.toString(), checkpoint.toString()));
    args.addAll(List.of(options));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean ok =
        AuditVerifyCommand.run(
            args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8));
    return new Verified(ok, out.toString(StandardCharsets.UTF_8));
  }
}

package dev.slipway.audit.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.checkpoint.SignedNote;
import dev.slipway.audit.merkle.ProofVerifier;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Signed checkpoints, the proofs that tie rows to them, and what an earlier checkpoint catches: a
 * tail cut off the log and a row changed behind the service's back.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class CheckpointAndProofIT {

  private static final HexFormat HEX = HexFormat.of();

  private final String viewer = TestTokens.token("vera", "viewer");

  @Inject AuditStoreWriter writer;
  @Inject CheckpointService checkpoints;
  @Inject LogVerifier verifier;

  @Test
  void aCheckpointIsSignedByTheLogsKeyAndWrittenOutsideTheDatabase() throws Exception {
    append("checkpoint-signed", 5);
    Checkpoint made = checkpointToTail();

    JsonPath served = get("/api/audit/checkpoint");
    String verifierKey = get("/api/audit/checkpoint/key").getString("verifierKey");
    SignedNote.CheckpointText text =
        SignedNote.open(served.getString("note"), SignedNote.Verifier.parse(verifierKey));

    assertThat(served.getLong("treeSize")).isEqualTo(made.treeSize());
    assertThat(text.origin()).isEqualTo("slipway.dev/audit");
    assertThat(text.treeSize()).isEqualTo(made.treeSize());
    assertThat(HEX.formatHex(text.rootHash())).isEqualTo(served.getString("rootHash"));
    assertThat(Files.readString(AuditTestResource.CHECKPOINT_FILE, StandardCharsets.UTF_8))
        .isEqualTo(served.getString("note"));
    given().get("/q/health/group/integrity").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void anInclusionProofLeadsFromARowToTheSignedRoot() {
    List<Long> seqs = append("checkpoint-inclusion", 7);
    Checkpoint checkpoint = checkpointToTail();
    long seq = seqs.get(3);

    JsonPath proof =
        get("/api/audit/proof/inclusion?seq=" + seq + "&treeSize=" + checkpoint.treeSize());
    String leafHash =
        get("/api/audit/events?order=asc&limit=1&after=" + PageCursor.of(seq - 1))
            .getString("items[0].leafHash");

    assertThat(proof.getString("leafHash")).isEqualTo(leafHash);
    byte[] root =
        ProofVerifier.rootFromInclusion(
            seq - 1,
            checkpoint.treeSize(),
            HEX.parseHex(leafHash),
            proof.getList("hashes", String.class).stream().map(HEX::parseHex).toList());
    assertThat(root).isEqualTo(checkpoint.rootHash());
  }

  @Test
  void aConsistencyProofShowsTheEarlierCheckpointIsAPrefixOfTheLater() {
    append("checkpoint-consistency", 3);
    Checkpoint earlier = checkpointToTail();
    append("checkpoint-consistency", 9);
    Checkpoint later = checkpointToTail();

    JsonPath proof =
        get("/api/audit/proof/consistency?from=" + earlier.treeSize() + "&to=" + later.treeSize());

    assertThat(
            ProofVerifier.verifyConsistency(
                earlier.treeSize(),
                later.treeSize(),
                earlier.rootHash(),
                later.rootHash(),
                proof.getList("hashes", String.class).stream().map(HEX::parseHex).toList()))
        .isTrue();
  }

  @Test
  void proofsOutsideTheLogAreBadRequestsNamingTheField() {
    long size = AuditTestData.count("SELECT max(seq) FROM audit_events");
    problem("/api/audit/proof/inclusion?seq=1&treeSize=" + (size + 1000), "treeSize");
    problem("/api/audit/proof/inclusion?seq=" + (size + 1000), "seq");
    problem("/api/audit/proof/inclusion", "seq");
    problem("/api/audit/proof/consistency?from=5&to=2", "from");
    problem("/api/audit/proof/consistency?from=1&to=" + (size + 1000), "to");
  }

  @Test
  void aTailCutOffTheLogIsCaughtByTheEarlierCheckpoint() throws Exception {
    append("checkpoint-truncated", 4);
    AuditTestData.withAppendsHeld(
        () -> {
          Checkpoint signed = checkpointToTail();
          long tail = signed.treeSize();
          String file = Files.readString(AuditTestResource.CHECKPOINT_FILE);
          AuditTestData.tamper(
              "CREATE TABLE cut_tail AS SELECT * FROM audit_events WHERE seq > " + (tail - 2),
              "DELETE FROM audit_events WHERE seq > " + (tail - 2));
          try {
            VerificationReport report = verifier.verify(null, null);
            assertThat(report.status()).isEqualTo(VerificationReport.Status.FAILED);
            assertThat(report.mismatch().reason()).isEqualTo(VerificationReport.Reason.MISSING);
            assertThat(report.mismatch().seq()).isEqualTo(tail - 1);
            assertThat(report.mismatch().detail()).contains("cut off");

            checkpoints.checkpoint();
            assertThat(checkpoints.outcome().healthy()).isFalse();
            given()
                .get("/q/health/group/integrity")
                .then()
                .statusCode(503)
                .body("checks[0].data.detail", containsString("cut off"));
            assertThat(Files.readString(AuditTestResource.CHECKPOINT_FILE)).isEqualTo(file);
          } finally {
            AuditTestData.tamper(
                "INSERT INTO audit_events SELECT * FROM cut_tail", "DROP TABLE cut_tail");
          }
          checkpoints.checkpoint();
          assertThat(checkpoints.outcome().healthy()).isTrue();
          return null;
        });
  }

  @Test
  void aRowChangedAfterItWasSignedIsFoundByTheCheckpointRuns() {
    List<Long> seqs = append("checkpoint-scrub", 3);
    checkpointToTail();
    long tampered = seqs.get(1);

    AuditTestData.tamper("UPDATE audit_events SET status = 'FORGED' WHERE seq = " + tampered);
    try {
      // Each run re-verifies one chunk of signed history; within a few runs it reaches the row.
      for (int run = 0; run < 200 && checkpoints.outcome().healthy(); run++) {
        checkpoints.checkpoint();
      }
      assertThat(checkpoints.outcome().healthy()).isFalse();
      assertThat(checkpoints.outcome().detail())
          .contains("signed history does not verify")
          .contains("CONTENT")
          .contains("seq=" + tampered);
    } finally {
      AuditTestData.tamper("UPDATE audit_events SET status = NULL WHERE seq = " + tampered);
    }
    checkpoints.checkpoint();
    assertThat(checkpoints.outcome().healthy()).isTrue();
  }

  @Test
  void aRowChangedBeforeItsCheckpointIsSignedAsWrittenAndFoundByTheNextRun() {
    List<Long> seqs = append("checkpoint-fresh", 4);
    long tampered = seqs.get(2);
    String leafHash =
        get("/api/audit/events?order=asc&limit=1&after=" + PageCursor.of(tampered - 1))
            .getString("items[0].leafHash");

    AuditTestData.tamper("UPDATE audit_events SET actor = 'mallory' WHERE seq = " + tampered);
    try {
      // The checkpoint signs the leaf hashes the writer computed from the record, not the change.
      Checkpoint signed = checkpoints.checkpoint().orElseThrow();
      assertThat(signed.treeSize()).isGreaterThanOrEqualTo(seqs.get(3));
      JsonPath proof =
          get("/api/audit/proof/inclusion?seq=" + tampered + "&treeSize=" + signed.treeSize());
      assertThat(
              ProofVerifier.rootFromInclusion(
                  tampered - 1,
                  signed.treeSize(),
                  HEX.parseHex(leafHash),
                  proof.getList("hashes", String.class).stream().map(HEX::parseHex).toList()))
          .isEqualTo(signed.rootHash());
      // Its content is hashed again by the runs that follow.
      for (int run = 0; run < 50 && checkpoints.outcome().healthy(); run++) {
        checkpoints.checkpoint();
      }
      assertThat(checkpoints.outcome().healthy()).isFalse();
      assertThat(checkpoints.outcome().detail())
          .contains("signed history does not verify")
          .contains("CONTENT")
          .contains("seq=" + tampered);
    } finally {
      AuditTestData.tamper("UPDATE audit_events SET actor = NULL WHERE seq = " + tampered);
    }
    checkpoints.checkpoint();
    assertThat(checkpoints.outcome().healthy()).isTrue();
  }

  /** Makes checkpoints (one verified chunk each) until one covers the whole log. */
  private Checkpoint checkpointToTail() {
    long tail = AuditTestData.count("SELECT max(seq) FROM audit_events");
    for (int run = 0; run < 1000; run++) {
      Checkpoint latest = checkpoints.checkpoint().orElse(null);
      assertThat(checkpoints.outcome().healthy()).as(checkpoints.outcome().detail()).isTrue();
      if (latest != null && latest.treeSize() >= tail) {
        return latest;
      }
    }
    throw new AssertionError("no checkpoint reached row " + tail);
  }

  private List<Long> append(String prefix, int count) {
    String application = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    writer.append(
        AuditTestData.records(
            "test.checkpoint", application, count, OffsetDateTime.now(ZoneOffset.UTC)));
    return get("/api/audit/events?order=asc&application=" + application)
        .getList("items.seq", Long.class);
  }

  private JsonPath get(String path) {
    return given().auth().oauth2(viewer).get(path).then().statusCode(200).extract().jsonPath();
  }

  private void problem(String path, String field) {
    given()
        .auth()
        .oauth2(viewer)
        .get(path)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo(field));
  }
}

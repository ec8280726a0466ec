package dev.slipway.audit.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class LogVerificationIT {

  private final String viewer = TestTokens.token("vera", "viewer");

  @Inject AuditStoreWriter writer;

  @Test
  void intactRowsVerifyAndGiveTheRootTheStoredTreeHas() {
    List<Long> seqs = append("verify-intact", 20);

    JsonPath report = verify("?from=" + seqs.get(0) + "&to=" + seqs.get(19));

    assertThat(report.getString("status")).isEqualTo("OK");
    assertThat(report.getLong("fromSeq")).isEqualTo(seqs.get(0));
    assertThat(report.getLong("checked")).isEqualTo(20);
    assertThat(report.getString("lastHash")).hasSize(64);
    String root =
        given()
            .auth()
            .oauth2(viewer)
            .get("/api/audit/proof/consistency?from=1&to=" + seqs.get(19))
            .then()
            .statusCode(200)
            .extract()
            .path("toRoot");
    assertThat(report.getString("rootHash")).isEqualTo(root);
  }

  @Test
  void rowChangedBehindTheServicesBackIsFoundAtItsPosition() {
    List<Long> seqs = append("verify-tampered", 5);
    long tampered = seqs.get(2);

    AuditTestData.tamper("UPDATE audit_events SET actor = 'mallory' WHERE seq = " + tampered);
    try {
      JsonPath report = verify("?from=" + seqs.get(0) + "&to=" + seqs.get(4));
      assertThat(report.getString("status")).isEqualTo("FAILED");
      assertThat(report.getLong("mismatch.seq")).isEqualTo(tampered);
      assertThat(report.getString("mismatch.reason")).isEqualTo("CONTENT");
      assertThat(report.getLong("checked")).isEqualTo(tampered - seqs.get(0) + 1);
      assertThat(verify("?from=" + (tampered + 1) + "&to=" + seqs.get(4)).getString("status"))
          .isEqualTo("OK");
    } finally {
      AuditTestData.tamper("UPDATE audit_events SET actor = NULL WHERE seq = " + tampered);
    }
    assertThat(verify("?from=" + seqs.get(0) + "&to=" + seqs.get(4)).getString("status"))
        .isEqualTo("OK");
  }

  @Test
  void rowRehashedToHideAChangeBreaksTheLinkAndTheTree() {
    List<Long> seqs = append("verify-rehashed", 4);
    long tampered = seqs.get(1);
    String restore =
        "UPDATE audit_events SET leaf_hash = o.leaf_hash, hash = o.hash, actor = o.actor"
            + " FROM kept o WHERE audit_events.seq = o.seq";

    // Even with its own hashes rewritten, the next row's link and the stored tree give it away.
    AuditTestData.tamper(
        "CREATE TABLE kept AS SELECT * FROM audit_events WHERE seq = " + tampered,
        "UPDATE audit_events SET actor = 'mallory', leaf_hash = sha256('forged'),"
            + " hash = sha256('forged chain') WHERE seq = "
            + tampered);
    try {
      JsonPath report = verify("?from=" + seqs.get(0) + "&to=" + seqs.get(3));
      assertThat(report.getString("status")).isEqualTo("FAILED");
      assertThat(report.getLong("mismatch.seq")).isEqualTo(tampered);
      assertThat(report.getString("mismatch.reason")).isEqualTo("CONTENT");
      JsonPath after = verify("?from=" + (tampered + 1) + "&to=" + seqs.get(3));
      assertThat(after.getString("mismatch.reason")).isEqualTo("LINK");
    } finally {
      AuditTestData.tamper(restore, "DROP TABLE kept");
    }
    assertThat(verify("?from=" + seqs.get(0) + "&to=" + seqs.get(3)).getString("status"))
        .isEqualTo("OK");
  }

  @Test
  void deletedRowIsReportedMissingAtItsPosition() {
    List<Long> seqs = append("verify-deleted", 3);
    long deleted = seqs.get(1);

    AuditTestData.tamper(
        "CREATE TABLE kept_row AS SELECT * FROM audit_events WHERE seq = " + deleted,
        "DELETE FROM audit_events WHERE seq = " + deleted);
    try {
      JsonPath report = verify("?from=" + seqs.get(0) + "&to=" + seqs.get(2));
      assertThat(report.getString("status")).isEqualTo("FAILED");
      assertThat(report.getLong("mismatch.seq")).isEqualTo(deleted);
      assertThat(report.getString("mismatch.reason")).isEqualTo("MISSING");
    } finally {
      AuditTestData.tamper(
          "INSERT INTO audit_events SELECT * FROM kept_row", "DROP TABLE kept_row");
    }
    assertThat(verify("?from=" + seqs.get(0) + "&to=" + seqs.get(2)).getString("status"))
        .isEqualTo("OK");
  }

  @Test
  void rowsPastTheEndAreAFailureNotAnEmptySuccess() {
    long last = append("verify-past-end", 1).get(0);

    JsonPath report = verify("?from=" + last + "&to=" + (last + 1_000_000));

    assertThat(report.getString("status")).isEqualTo("FAILED");
    assertThat(report.getString("mismatch.reason")).isEqualTo("MISSING");
    assertThat(report.getString("mismatch.detail")).contains("the log ends at row");
    assertThat(verify("?from=" + (last + 1_000_000)).getString("status")).isEqualTo("FAILED");
  }

  @Test
  void aLongRangeIsVerifiedInBoundedChunksFollowingNextFrom() {
    append("verify-chunks", 600);
    long size = AuditTestData.count("SELECT max(seq) FROM audit_events");

    // The test configuration checks at most 500 rows per call.
    long next = 1;
    int calls = 0;
    while (true) {
      JsonPath chunk = verify("?from=" + next + "&to=" + size);
      assertThat(chunk.getString("status")).isEqualTo("OK");
      assertThat(chunk.getLong("toSeq") - chunk.getLong("fromSeq") + 1).isLessThanOrEqualTo(500);
      calls++;
      if (chunk.get("nextFrom") == null) {
        assertThat(chunk.getLong("toSeq")).isEqualTo(size);
        break;
      }
      next = chunk.getLong("nextFrom");
    }
    assertThat(calls).isGreaterThanOrEqualTo(2);
  }

  @Test
  void concurrentBatchesNeverForkTheLog() {
    long before = AuditTestData.count("SELECT count(*) FROM audit_events");
    ExecutorService writers = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Integer>> batches = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        List<AuditRecord> batch =
            AuditTestData.records("test.concurrent", "concurrent-" + i, 50, now());
        batches.add(CompletableFuture.supplyAsync(() -> writer.append(batch).appended(), writers));
      }
      assertThat(batches.stream().mapToInt(CompletableFuture::join).sum()).isEqualTo(400);
    } finally {
      writers.shutdown();
    }

    assertThat(AuditTestData.count("SELECT count(*) FROM audit_events"))
        .isGreaterThanOrEqualTo(before + 400);
    assertThat(AuditTestData.count("SELECT count(*) - max(seq) FROM audit_events")).isZero();
    long size = AuditTestData.count("SELECT max(seq) FROM audit_events");
    assertThat(verify("?from=" + (before + 1) + "&to=" + size).getString("status")).isEqualTo("OK");
  }

  @Test
  void rangeBoundsMustBePositiveAndOrdered() {
    given()
        .auth()
        .oauth2(viewer)
        .get("/api/audit/verify?from=9&to=3")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("from"));
    given()
        .auth()
        .oauth2(viewer)
        .get("/api/audit/verify?to=minus-one")
        .then()
        .statusCode(400)
        .body("field", equalTo("to"));
  }

  private List<Long> append(String prefix, int count) {
    String application = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    writer.append(AuditTestData.records("test.verify", application, count, now()));
    return given()
        .auth()
        .oauth2(viewer)
        .queryParam("application", application)
        .queryParam("order", "asc")
        .get("/api/audit/events")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("items.seq", Long.class);
  }

  private JsonPath verify(String query) {
    return given()
        .auth()
        .oauth2(viewer)
        .get("/api/audit/verify" + query)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}

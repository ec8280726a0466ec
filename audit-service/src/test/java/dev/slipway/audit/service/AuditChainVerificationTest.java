package dev.slipway.audit.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
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
class AuditChainVerificationTest {

  private final String viewer = TestTokens.token("vera", "viewer");

  @Inject AuditEventRepository repository;

  @Test
  void intactChainVerifiesFromItsFirstRowToItsLast() {
    append("verify-intact", 20);

    JsonPath report = verify("");

    assertThat(report.getString("status")).isEqualTo("OK");
    assertThat(report.getLong("fromSeq")).isEqualTo(1);
    assertThat(report.getLong("checked")).isEqualTo(report.getLong("toSeq"));
    assertThat(report.getLong("checked")).isGreaterThanOrEqualTo(20);
    assertThat(report.getString("lastHash")).hasSize(64);
  }

  @Test
  void rowChangedBehindTheServicesBackIsFoundAtItsPosition() throws Exception {
    List<Long> seqs = append("verify-tampered", 5);
    long tampered = seqs.get(2);

    try (Connection owner = AuditTestData.owner();
        Statement sql = owner.createStatement()) {
      owner.setAutoCommit(false);
      sql.execute("SET LOCAL session_replication_role = replica");
      sql.executeUpdate("UPDATE audit_events SET actor = 'mallory' WHERE seq = " + tampered);
      owner.commit();
      try {
        JsonPath report = verify("");
        assertThat(report.getString("status")).isEqualTo("BROKEN");
        assertThat(report.getLong("mismatch.seq")).isEqualTo(tampered);
        assertThat(report.getString("mismatch.reason")).isEqualTo("CONTENT");
        assertThat(report.getLong("checked")).isEqualTo(tampered);
        assertThat(verify("?from=" + (tampered + 1)).getString("status")).isEqualTo("OK");
      } finally {
        sql.execute("SET LOCAL session_replication_role = replica");
        sql.executeUpdate("UPDATE audit_events SET actor = NULL WHERE seq = " + tampered);
        owner.commit();
      }
    }
    assertThat(verify("").getString("status")).isEqualTo("OK");
  }

  @Test
  void deletedRowIsReportedMissingAtItsPosition() throws Exception {
    List<Long> seqs = append("verify-deleted", 3);
    long deleted = seqs.get(1);

    try (Connection owner = AuditTestData.owner();
        Statement sql = owner.createStatement()) {
      owner.setAutoCommit(false);
      sql.execute("CREATE TEMP TABLE kept AS SELECT * FROM audit_events WHERE seq = " + deleted);
      sql.execute("SET LOCAL session_replication_role = replica");
      sql.executeUpdate("DELETE FROM audit_events WHERE seq = " + deleted);
      owner.commit();
      try {
        JsonPath report = verify("?from=" + seqs.get(0) + "&to=" + seqs.get(2));
        assertThat(report.getString("status")).isEqualTo("BROKEN");
        assertThat(report.getLong("mismatch.seq")).isEqualTo(deleted);
        assertThat(report.getString("mismatch.reason")).isEqualTo("MISSING");
      } finally {
        sql.executeUpdate("INSERT INTO audit_events SELECT * FROM kept");
        owner.commit();
      }
    }
    assertThat(verify("").getString("status")).isEqualTo("OK");
  }

  @Test
  void concurrentBatchesNeverForkTheChain() {
    long before = AuditTestData.count("SELECT count(*) FROM audit_events");
    ExecutorService writers = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Integer>> batches = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        List<AuditRecord> batch =
            AuditTestData.records("test.concurrent", "concurrent-" + i, 50, now());
        batches.add(
            CompletableFuture.supplyAsync(
                () -> repository.append(batch).await().indefinitely(), writers));
      }
      assertThat(batches.stream().mapToInt(CompletableFuture::join).sum()).isEqualTo(400);
    } finally {
      writers.shutdown();
    }

    assertThat(AuditTestData.count("SELECT count(*) FROM audit_events"))
        .isGreaterThanOrEqualTo(before + 400);
    assertThat(AuditTestData.count("SELECT count(*) - max(seq) FROM audit_events")).isZero();
    assertThat(verify("").getString("status")).isEqualTo("OK");
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
    repository
        .append(AuditTestData.records("test.verify", application, count, now()))
        .await()
        .indefinitely();
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

package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditEventsPaginationIT {

  private static final int PAGE = 7;

  private final String viewer = TestTokens.token("vera", "viewer");

  @Inject AuditStoreWriter writer;

  @Test
  void aRunTimelineIsServedInBoundedPagesFollowingItsCursor() {
    String application = "timeline-" + UUID.randomUUID().toString().substring(0, 8);
    append(application, 25);

    List<Integer> pageSizes = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    String cursor = null;
    do {
      var request = given().auth().oauth2(viewer).queryParam("limit", 10);
      if (cursor != null) {
        request.queryParam("after", cursor);
      }
      JsonPath page =
          request
              .get("/api/audit/runs/run-" + application)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      List<Long> items = page.getList("events.seq", Long.class);
      pageSizes.add(items.size());
      seqs.addAll(items);
      cursor = page.getString("next");
    } while (cursor != null);

    assertThat(pageSizes).containsExactly(10, 10, 5);
    assertThat(seqs)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(seqsInDatabase(application));
    given()
        .auth()
        .oauth2(viewer)
        .queryParam("limit", 1001)
        .get("/api/audit/commits/commit-" + application)
        .then()
        .statusCode(400);
  }

  @Test
  void pagesReturnEveryRowExactlyOnceWhileInsertsContinue() {
    String application = "paging-" + UUID.randomUUID().toString().substring(0, 8);
    append(application, 60);
    List<Long> before = seqsInDatabase(application);

    CompletableFuture<Void> inserts =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 40; i++) {
                append(application, 3);
              }
            });
    List<Long> newestFirst = readAll(application, "desc", null);
    List<Long> oldestFirst = readAll(application, "asc", null);
    inserts.join();
    // Oldest first, the last cursor goes on with what was appended after the pages were read.
    oldestFirst.addAll(readAll(application, "asc", lastCursor));
    List<Long> after = seqsInDatabase(application);

    assertThat(newestFirst)
        .doesNotHaveDuplicates()
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(newestFirst).containsAll(before);
    assertThat(after).containsAll(newestFirst);
    assertThat(oldestFirst).doesNotHaveDuplicates().isSorted();
    assertThat(oldestFirst).containsExactlyElementsOf(after);
    assertThat(after).hasSize(60 + 120);
  }

  private String lastCursor;

  private List<Long> readAll(String application, String order, String startCursor) {
    List<Long> seqs = new ArrayList<>();
    String cursor = startCursor;
    HashSet<String> cursorsSeen = new HashSet<>();
    while (true) {
      var request =
          given()
              .auth()
              .oauth2(viewer)
              .queryParam("application", application)
              .queryParam("order", order)
              .queryParam("limit", PAGE);
      if (cursor != null) {
        request.queryParam("after", cursor);
      }
      JsonPath page = request.get("/api/audit/events").then().statusCode(200).extract().jsonPath();
      List<Long> items = page.getList("items.seq", Long.class);
      seqs.addAll(items);
      String next = page.getString("next");
      lastCursor = next;
      if (next == null || items.isEmpty() || !cursorsSeen.add(next)) {
        return seqs;
      }
      cursor = next;
    }
  }

  private void append(String application, int count) {
    writer.append(
        AuditTestData.records(
            "test.paging", application, count, OffsetDateTime.now(ZoneOffset.UTC)));
  }

  private static List<Long> seqsInDatabase(String application) {
    List<Long> seqs = new ArrayList<>();
    try (var owner = AuditTestData.admin();
        var sql =
            owner.prepareStatement(
                "SELECT seq FROM audit_events WHERE application = ? ORDER BY seq")) {
      sql.setString(1, application);
      try (var rows = sql.executeQuery()) {
        while (rows.next()) {
          seqs.add(rows.getLong(1));
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return seqs;
  }
}

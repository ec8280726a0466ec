package dev.slipway.audit.repository;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.merkle.ProofVerifier;
import dev.slipway.audit.service.LogVerifier;
import dev.slipway.audit.service.VerificationReport;
import dev.slipway.testsupport.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The tree's full tiles, which proofs are served from, as two writers (two replicas) append in
 * turns: each writer picks the tree's right edge up from storage after the other wrote, every full
 * tile is the concatenation of its rows' leaf hashes, proofs read from tiles verify against the
 * root, and verification finds a tile that was changed behind the log.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class TreeTilesIT {

  private static final HexFormat HEX = HexFormat.of();

  private final String auditor = TestTokens.token("audrey", "auditor");

  @Inject AuditStoreWriter writer;
  @Inject AgroalDataSource dataSource;
  @Inject LogSnapshots snapshots;
  @Inject LogVerifier verifier;

  @Test
  void twoWritersInTurnsKeepEveryFullTileEqualToItsRows() throws Exception {
    AuditStoreWriter replica =
        new AuditStoreWriter(dataSource, snapshots, new SimpleMeterRegistry());
    long from = size() + 1;
    Random random = new Random(7);
    int written = 0;
    for (int turn = 0; written < 700; turn++) {
      int count = 1 + random.nextInt(260);
      (turn % 2 == 0 ? writer : replica)
          .append(AuditTestData.records("test.tiles", "tiles-" + turn, count, now()));
      written += count;
    }
    long to = size();

    assertThat(mismatchedTiles()).isZero();
    assertThat(tiles()).isGreaterThanOrEqualTo(to / 256);
    assertThat(verifyAll(from, to).status()).isEqualTo(VerificationReport.Status.OK);
    for (long seq = from; seq <= to; seq += 97) {
      JsonPath proof = get("/api/audit/proof/inclusion?seq=" + seq + "&treeSize=" + to);
      JsonPath consistency = get("/api/audit/proof/consistency?from=" + seq + "&to=" + to);
      byte[] root = HEX.parseHex(proof.getString("rootHash"));
      assertThat(
              ProofVerifier.rootFromInclusion(
                  seq - 1, to, HEX.parseHex(proof.getString("leafHash")), hashes(proof)))
          .isEqualTo(root);
      assertThat(
              ProofVerifier.verifyConsistency(
                  seq,
                  to,
                  HEX.parseHex(consistency.getString("fromRoot")),
                  root,
                  hashes(consistency)))
          .isTrue();
    }
  }

  @Test
  void aTileChangedBehindTheLogIsFoundByVerification() throws Exception {
    long from = size() + 1;
    writer.append(AuditTestData.records("test.tiles", "tiles-tampered", 600, now()));
    long to = size();
    long tile = (from - 1) / 256 + 1;
    String where = "level = 0 AND idx = " + tile;
    AuditTestData.tamper(
        "CREATE TABLE kept_tile AS SELECT * FROM audit_tree_tiles WHERE " + where,
        "UPDATE audit_tree_tiles SET hashes = set_byte(hashes, 40, get_byte(hashes, 40) # 1)"
            + " WHERE "
            + where);
    try {
      VerificationReport report = verifyAll(from, to);
      assertThat(report.status()).isEqualTo(VerificationReport.Status.FAILED);
      assertThat(report.mismatch().reason()).isEqualTo(VerificationReport.Reason.TREE);
      assertThat(report.mismatch().seq()).isEqualTo((tile + 1) * 256);
      assertThat(report.mismatch().detail())
          .isEqualTo("the stored tile of level 0, index " + tile + " is not the one the rows give");
    } finally {
      AuditTestData.tamper(
          "DELETE FROM audit_tree_tiles WHERE " + where,
          "INSERT INTO audit_tree_tiles SELECT * FROM kept_tile",
          "DROP TABLE kept_tile");
    }
    assertThat(verifyAll(from, to).status()).isEqualTo(VerificationReport.Status.OK);
  }

  /** Verifies {@code from..to} chunk by chunk; the first failed chunk's report, or the last. */
  private VerificationReport verifyAll(long from, long to) {
    VerificationReport report = verifier.verify(from, to);
    while (report.status() == VerificationReport.Status.OK && report.nextFrom() != null) {
      report = verifier.verify(report.nextFrom(), to);
    }
    return report;
  }

  /** Full leaf tiles that are not the concatenation of their rows' leaf hashes. */
  private static long mismatchedTiles() {
    return AuditTestData.count(
        """
        SELECT count(*) FROM audit_tree_tiles t
         WHERE t.level = 0
           AND t.hashes <> (SELECT string_agg(e.leaf_hash, ''::bytea ORDER BY e.seq)
                              FROM audit_events e
                             WHERE e.seq > t.idx * 256 AND e.seq <= (t.idx + 1) * 256)
        """);
  }

  private static long tiles() {
    return AuditTestData.count("SELECT count(*) FROM audit_tree_tiles WHERE level = 0");
  }

  private static long size() throws Exception {
    try (Connection c = AuditTestData.admin();
        Statement sql = c.createStatement();
        ResultSet rows = sql.executeQuery("SELECT coalesce(max(seq), 0) FROM audit_events")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private JsonPath get(String path) {
    return given().auth().oauth2(auditor).get(path).then().statusCode(200).extract().jsonPath();
  }

  private static List<byte[]> hashes(JsonPath proof) {
    return proof.getList("hashes", String.class).stream().map(HEX::parseHex).toList();
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}

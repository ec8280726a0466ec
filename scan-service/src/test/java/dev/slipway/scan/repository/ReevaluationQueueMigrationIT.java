package dev.slipway.scan.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testsupport.MigrationSchema;
import dev.slipway.work.db.WorkSchema;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.LeasedQueue;
import dev.slipway.work.queue.Renewal;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The move of the re-evaluations to work/'s leased queue (V33) on a database holding them in the
 * former shape: nothing queued or running is lost, ids stay what they were (as text), new ones go
 * on from the same sequence, and the queue takes over what ran out while leaving alone what is
 * still held.
 */
class ReevaluationQueueMigrationIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void reevaluationsQueuedOrRunningBeforeTheMoveAreKeptAndTakenOverOnlyOnceTheirLeaseRanOut()
      throws SQLException {
    try (MigrationSchema db = MigrationSchema.create()) {
      db.migrateTo("32");
      db.execute(
          """
          INSERT INTO reevaluations (db_version, advisories, digest, status, lease_owner,
                                     lease_until, attempts, created_at)
          VALUES
            ('v1', '{GHSA-1}', NULL, 'RUNNING', 'old-a', now() - interval '1 second', 1,
             now() - interval '3 minutes'),
            ('v1', '{GHSA-2}', NULL, 'RUNNING', 'old-b', now() + interval '10 minutes', 2,
             now() - interval '2 minutes'),
            ('v1', '{}', 'sha256:abc', 'QUEUED', NULL, NULL, 0, now() - interval '1 minute'),
            ('v0', '{GHSA-0}', NULL, 'DONE', NULL, NULL, 1, now() - interval '4 minutes')
          """);

      db.migrate();
      WorkSchema.migrate(db.dataSource());

      assertThat(
              db.rows(
                  "SELECT concat_ws(' ', id, status, lease_owner, attempts, lease_token)"
                      + " FROM reevaluations ORDER BY created_at"))
          .as("ids, states, holders and claim counts kept; no token before a claim")
          .containsExactly("4 DONE 1", "1 RUNNING old-a 1", "2 RUNNING old-b 2", "3 QUEUED 0");
      db.execute(
          "INSERT INTO reevaluations (db_version, advisories, status) VALUES ('v2', '{}', 'QUEUED')");
      assertThat(db.rows("SELECT id FROM reevaluations WHERE db_version = 'v2'"))
          .as("new ids go on from the same sequence")
          .containsExactly("5");

      LeasedQueue queue = new LeasedQueue(db.pool(), ReevaluationRepository.TABLE);
      List<Lease> claimed = queue.claim("new", 10, Duration.ofMinutes(1)).await().atMost(WAIT);
      assertThat(claimed).extracting(Lease::id).containsExactlyInAnyOrder("1", "3", "5");
      assertThat(claimed)
          .filteredOn(lease -> lease.id().equals("1"))
          .extracting(Lease::attempts)
          .as("a take-over")
          .containsExactly(2);
      assertThat(claimed).allSatisfy(lease -> assertThat(lease.token()).isPositive());
      assertThat(db.rows("SELECT status FROM reevaluations WHERE id = '3'"))
          .containsExactly("RUNNING");
      // The former holder of "2" has no token: nothing it could send is its lease any more.
      Lease former = new Lease("2", "old-b", 0, 2, "RUNNING", System.nanoTime());
      assertThat(queue.renew(former, Duration.ofMinutes(1)).await().atMost(WAIT))
          .isEqualTo(Renewal.LOST);
      assertThat(db.rows("SELECT lease_owner FROM reevaluations WHERE id = '2'"))
          .containsExactly("old-b");
    }
  }
}

package dev.slipway.build.repository;

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
 * The move of the build queue to work/'s leased-queue shape (V4) on a database holding builds of
 * the former shape: nothing queued or running is lost, a running build keeps its holder's name and
 * claim count, and the leased queue takes over what ran out while leaving alone what is still held.
 */
class BuildQueueMigrationIT {

  @Test
  void buildsQueuedOrRunningBeforeTheMoveAreKeptAndTakenOverOnlyOnceTheirLeaseRanOut()
      throws SQLException {
    try (MigrationSchema db = MigrationSchema.create()) {
      db.migrateTo("3");
      db.execute(
          """
          INSERT INTO builds (id, run_id, attempt, event_id, application, commit_sha, ref, repo_url,
              commit_event, status, queued_at, started_at, owner, lease_until, claims)
          VALUES
            ('ran-out', 'r1', 1, 'e1', 'app', 'abc', 'refs/heads/main', 'file:///r', '\\x00',
             'RUNNING', now() - interval '3 minutes', now(), 'old/0', now() - interval '1 second',
             1),
            ('held', 'r2', 1, 'e2', 'app', 'abc', 'refs/heads/main', 'file:///r', '\\x00',
             'RUNNING', now() - interval '2 minutes', now(), 'old/1',
             now() + interval '10 minutes', 2),
            ('queued', 'r3', 1, 'e3', 'app', 'abc', 'refs/heads/main', 'file:///r', '\\x00',
             'QUEUED', now() - interval '1 minute', NULL, NULL, NULL, 0)
          """);

      db.migrate();
      WorkSchema.migrate(db.dataSource());

      assertThat(
              db.rows(
                  "SELECT id || ' ' || status || ' ' || coalesce(lease_owner, '-') || ' '"
                      + " || attempts || ' ' || coalesce(lease_token::text, '-')"
                      + " FROM builds ORDER BY queued_at"))
          .containsExactly(
              "ran-out RUNNING old/0 1 -", "held RUNNING old/1 2 -", "queued QUEUED - 0 -");

      LeasedQueue queue = new LeasedQueue(db.pool(), BuildQueue.TABLE);
      List<Lease> claimed =
          queue.claim("new/0", 10, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(10));
      assertThat(claimed).extracting(Lease::id).containsExactly("ran-out", "queued");
      assertThat(claimed.get(0).attempts()).as("a take-over").isEqualTo(2);
      assertThat(claimed).allSatisfy(lease -> assertThat(lease.token()).isPositive());
      assertThat(db.rows("SELECT status FROM builds WHERE id = 'queued'"))
          .containsExactly("RUNNING");
      // The former holder of "held" has no token: nothing it could send is its lease any more.
      Lease former = new Lease("held", "old/1", 0, 2, "RUNNING", System.nanoTime());
      assertThat(queue.renew(former, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(10)))
          .isEqualTo(Renewal.LOST);
      assertThat(db.rows("SELECT lease_owner FROM builds WHERE id = 'held'"))
          .containsExactly("old/1");
    }
  }
}

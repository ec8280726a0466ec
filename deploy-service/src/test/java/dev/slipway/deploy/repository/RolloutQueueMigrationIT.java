package dev.slipway.deploy.repository;

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
 * The move of the rollout queue to work/'s leased-queue shape (V4) on a database holding rollouts
 * of the former shape: nothing queued or running is lost, a running rollout keeps its holder and
 * its stored phase, its former holder (no token) can no longer renew, and the leased queue takes
 * over what ran out, leaves alone what is still held, and still keeps a newer rollout of an
 * environment behind the older one.
 */
class RolloutQueueMigrationIT {

  @Test
  void rolloutsQueuedOrRunningBeforeTheMoveAreKeptAndTakenOverOnlyOnceTheirLeaseRanOut()
      throws SQLException {
    try (MigrationSchema db = MigrationSchema.create()) {
      db.migrateTo("3.2");
      db.execute(
          """
          INSERT INTO rollouts (event_id, run_id, application, environment, image, image_digest,
              reason, requested_by, status, requested_at, phase, step, started_at, lease_owner,
              lease_until)
          VALUES
            ('ran-out', 'r1', 'app', 'staging', 'app:1', 'sha256:1', 'SCAN_PASSED', 'ci', 'RUNNING',
             now(), 'CANARY', 1, now(), 'old-a', now() - interval '1 second'),
            ('held', 'r2', 'app', 'production', 'app:2', 'sha256:2', 'SCAN_PASSED', 'ci', 'RUNNING',
             now(), 'PROGRESSING', 0, now(), 'old-b', now() + interval '10 minutes'),
            ('behind-held', 'r3', 'app', 'production', 'app:3', 'sha256:3', 'SCAN_PASSED', 'ci',
             'QUEUED', now(), 'QUEUED', 0, NULL, NULL, NULL),
            ('queued', 'r4', 'other', 'staging', 'other:1', 'sha256:4', 'SCAN_PASSED', 'ci',
             'QUEUED', now(), 'QUEUED', 0, NULL, NULL, NULL)
          """);

      db.migrate();
      WorkSchema.migrate(db.dataSource());

      assertThat(
              db.rows(
                  "SELECT event_id || ' ' || status || ' ' || phase || ' '"
                      + " || coalesce(lease_owner, '-') || ' ' || attempts || ' '"
                      + " || coalesce(lease_token::text, '-') FROM rollouts ORDER BY seq"))
          .containsExactly(
              "ran-out RUNNING CANARY old-a 1 -",
              "held RUNNING PROGRESSING old-b 1 -",
              "behind-held QUEUED QUEUED - 0 -",
              "queued QUEUED QUEUED - 0 -");

      LeasedQueue queue = new LeasedQueue(db.pool(), RolloutWorkRepository.TABLE);
      List<Lease> claimed =
          queue.claim("new", 10, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(10));
      assertThat(claimed).extracting(Lease::id).containsExactly("ran-out", "queued");
      assertThat(claimed.get(0).attempts()).as("a take-over").isEqualTo(2);
      assertThat(claimed).allSatisfy(lease -> assertThat(lease.token()).isPositive());
      // The claim leaves the status to the worker: a rollout is RUNNING once it started.
      assertThat(db.rows("SELECT status || ' ' || phase FROM rollouts WHERE event_id = 'queued'"))
          .containsExactly("QUEUED QUEUED");
      assertThat(db.rows("SELECT phase FROM rollouts WHERE event_id = 'ran-out'"))
          .as("the take-over goes on from the stored phase")
          .containsExactly("CANARY");
      // The former holder of "held" has no token: nothing it sends is its lease any more.
      Lease former = new Lease("held", "old-b", 0, 1, "RUNNING", System.nanoTime());
      assertThat(queue.renew(former, Duration.ofMinutes(1)).await().atMost(Duration.ofSeconds(10)))
          .isEqualTo(Renewal.LOST);
      assertThat(db.rows("SELECT lease_owner FROM rollouts WHERE event_id = 'held'"))
          .containsExactly("old-b");
    }
  }
}

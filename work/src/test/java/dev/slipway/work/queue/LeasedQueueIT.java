package dev.slipway.work.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.work.WorkDatabase;
import dev.slipway.work.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leased queue against a real PostgreSQL: claims never collide, a lease that ran out is taken
 * over and the late outcome of its first holder changes nothing, and a cancel accepted while the
 * work ran is what its fenced finish records, whatever the work came to.
 */
class LeasedQueueIT {

  private static final Duration LONG = Duration.ofMinutes(5);
  private static final String FINISH =
      """
      UPDATE work_test_jobs SET status = $2, lease_owner = NULL, lease_until = NULL
      WHERE id = $1
      """;

  private static Pool pool;
  private static LeasedQueue queue;
  private final List<Object> fired = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void table() {
    pool = WorkDatabase.pool();
    WorkDatabase.update(
        """
        CREATE TABLE IF NOT EXISTS work_test_jobs (
            id          TEXT PRIMARY KEY,
            status      TEXT        NOT NULL,
            queued_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            lease_owner TEXT,
            lease_token BIGINT,
            lease_until TIMESTAMPTZ,
            attempts    INT         NOT NULL DEFAULT 0)
        """);
    queue =
        new LeasedQueue(
            pool, QueueTable.of("work_test_jobs", "id", "queued_at").withCancelling("CANCELLING"));
  }

  @BeforeEach
  void empty() {
    WorkDatabase.update("DELETE FROM work_test_jobs");
  }

  @Test
  void workersClaimingAtOnceNeverGetTheSameRowAndEachClaimHasItsOwnToken() throws Exception {
    List<String> ids = queued(30);
    Set<String> claimed = Collections.synchronizedSet(new HashSet<>());
    List<Long> tokens = new CopyOnWriteArrayList<>();
    ExecutorService workers = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      String owner = "worker-" + w;
      done.add(
          workers.submit(
              () -> {
                List<Lease> leases;
                do {
                  leases = queue.claim(owner, 3, LONG).await().atMost(Duration.ofSeconds(10));
                  for (Lease lease : leases) {
                    assertThat(claimed.add(lease.id()))
                        .as("claimed twice: %s", lease.id())
                        .isTrue();
                    tokens.add(lease.token());
                    assertThat(lease.status()).isEqualTo("RUNNING");
                    assertThat(lease.attempts()).isEqualTo(1);
                  }
                } while (!leases.isEmpty());
                return null;
              }));
    }
    for (Future<?> worker : done) {
      worker.get();
    }
    workers.shutdown();

    assertThat(claimed).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(new HashSet<>(tokens)).hasSize(ids.size());
  }

  @Test
  void aLeaseThatRanOutIsTakenOverAndTheLateOutcomeOfItsFirstHolderChangesNothing() {
    String id = queued(1).get(0);
    Lease first = queue.claimOne("stalled", Duration.ofMillis(300)).await().indefinitely().get();
    sleep(Duration.ofMillis(600));

    Lease second = queue.claimOne("healthy", LONG).await().indefinitely().orElseThrow();

    assertThat(second.id()).isEqualTo(id);
    assertThat(second.isTakeover()).isTrue();
    assertThat(second.token()).isGreaterThan(first.token());
    assertThat(queue.renew(first, LONG).await().indefinitely()).isEqualTo(Renewal.LOST);
    assertThat(finish(first, "SUCCEEDED")).isFalse();
    assertThat(status(id)).isEqualTo("RUNNING");
    assertThat(finish(second, "FAILED")).isTrue();
    assertThat(status(id)).isEqualTo("FAILED");
    assertThat(finish(first, "SUCCEEDED")).isFalse();
    assertThat(status(id)).isEqualTo("FAILED");
  }

  @Test
  void aHeldLeaseIsRenewedAndNobodyElseClaimsIt() {
    queued(1);
    Lease lease = queue.claimOne("holder", Duration.ofMillis(500)).await().indefinitely().get();
    for (int i = 0; i < 4; i++) {
      sleep(Duration.ofMillis(250));
      assertThat(queue.renew(lease, Duration.ofMillis(500)).await().indefinitely())
          .isEqualTo(Renewal.HELD);
      assertThat(queue.claimOne("other", LONG).await().indefinitely()).isEmpty();
    }
  }

  @Test
  void aCancelAcceptedWhileTheWorkRunsIsWhatItsFinishRecordsEvenWhenTheWorkSucceeded() {
    String id = queued(1).get(0);
    Lease lease = queue.claimOne("builder", LONG).await().indefinitely().get();

    Optional<String> before =
        Transactions.of(pool, fired::add)
            .run(tx -> queue.requestCancel(tx, id))
            .await()
            .indefinitely();

    assertThat(before).contains("RUNNING");
    assertThat(queue.renew(lease, LONG).await().indefinitely()).isEqualTo(Renewal.CANCEL_REQUESTED);
    assertThat(finish(lease, "SUCCEEDED")).isTrue();
    assertThat(status(id)).isEqualTo("CANCELLED");
  }

  @Test
  void aCancelOfQueuedWorkIsLeftToTheCallerAndUnknownWorkIsNoneOfIts() {
    String id = queued(1).get(0);

    assertThat(
            Transactions.of(pool, fired::add)
                .run(tx -> queue.requestCancel(tx, id))
                .await()
                .indefinitely())
        .contains("QUEUED");
    assertThat(
            Transactions.of(pool, fired::add)
                .run(tx -> queue.requestCancel(tx, "no-such-job"))
                .await()
                .indefinitely())
        .isEmpty();
    assertThat(status(id)).isEqualTo("QUEUED");
  }

  @Test
  void aReleasedLeaseIsClaimableAtOnceAndIdleWorkersAreWokenAfterCommit() {
    queued(1);
    Lease lease = queue.claimOne("stopping", LONG).await().indefinitely().get();
    queue.release(lease).await().indefinitely();

    Lease next = queue.claimOne("next", LONG).await().indefinitely().orElseThrow();

    assertThat(next.id()).isEqualTo(lease.id());
    Transactions.of(pool, fired::add)
        .run(
            tx -> {
              queue.wakeAfterCommit(tx);
              return Uni.createFrom().voidItem();
            })
        .await()
        .indefinitely();
    assertThat(fired).containsExactly(new QueueWritten("work_test_jobs"));
  }

  @Test
  void manyLeasesAreRenewedAtOnceAndALostOneIsLeftOut() {
    queued(3);
    List<Lease> leases = queue.claim("turns", 3, Duration.ofMillis(300)).await().indefinitely();
    sleep(Duration.ofMillis(600));
    Lease taken = queue.claimOne("thief", LONG).await().indefinitely().orElseThrow();

    Set<String> held = queue.renewAll("turns", leases, LONG).await().indefinitely();

    assertThat(held)
        .hasSize(2)
        .doesNotContain(taken.id())
        .allMatch(id -> leases.stream().anyMatch(l -> l.id().equals(id)));
  }

  /** Records the outcome of {@code lease}, fenced; a cancel accepted meanwhile wins. */
  private boolean finish(Lease lease, String outcome) {
    return Transactions.of(pool, fired::add)
        .run(
            tx ->
                queue
                    .lock(tx, lease)
                    .flatMap(
                        status -> {
                          if (status.isEmpty()) {
                            return Uni.createFrom().item(false);
                          }
                          String recorded =
                              status.get().equals("CANCELLING") ? "CANCELLED" : outcome;
                          return tx.sql()
                              .preparedQuery(FINISH)
                              .execute(Tuple.of(lease.id(), recorded))
                              .replaceWith(true);
                        }))
        .await()
        .atMost(Duration.ofSeconds(10));
  }

  private static List<String> queued(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = "job-" + i + "-" + System.nanoTime();
      WorkDatabase.update("INSERT INTO work_test_jobs (id, status) VALUES (?, 'QUEUED')", id);
      ids.add(id);
    }
    return ids;
  }

  private static String status(String id) {
    return (String) WorkDatabase.value("SELECT status FROM work_test_jobs WHERE id = ?", id);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.slipway.scan.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.work.queue.Heartbeats;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker whose renewals do not get through stops the step it waits on before its lease can run
 * out, instead of running it to its end; a worker whose renewals get through is left alone, and
 * once its work is over a late report interrupts nothing.
 */
class HeldLeaseTest {

  private static final Duration LEASE = Duration.ofMillis(600);

  private final Heartbeats leases = new Heartbeats("test");

  @AfterEach
  void stopTimer() {
    leases.close();
  }

  @Test
  void noRenewalGettingThroughEndsTheStepTheWorkerWaitsOnBeforeTheLeaseRunsOut() {
    long sentAt = System.nanoTime();
    Uni<Renewal> unanswered = Uni.createFrom().completionStage(new CompletableFuture<>());
    try (HeldLease held = HeldLease.keep(leases, "scan s1", LEASE, sentAt, () -> unanswered)) {
      Uni<Void> slowStep = Uni.createFrom().completionStage(new CompletableFuture<Void>());

      assertThatThrownBy(() -> slowStep.await().atMost(Duration.ofSeconds(30)))
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - sentAt))
          .as("stopped before the lease could run out")
          .isLessThan(LEASE);
      assertThat(held.held()).isFalse();
      assertThat(held.lost()).contains("no renewal got through");
    }
    assertThat(Thread.currentThread().isInterrupted()).as("cleared for the next claim").isFalse();
  }

  @Test
  void renewalsThatGetThroughKeepTheWorkGoing() throws InterruptedException {
    try (HeldLease held =
        HeldLease.keep(
            leases,
            "re-evaluation 7",
            LEASE,
            System.nanoTime(),
            () -> Uni.createFrom().item(Renewal.HELD))) {
      Thread.sleep(LEASE.multipliedBy(2).toMillis());

      assertThat(held.held()).isTrue();
      assertThat(held.lost()).isNull();
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
  }

  @Test
  void aReportAfterTheWorkEndedInterruptsNothing() {
    HeldLease held = new HeldLease("re-evaluation 8");
    held.close();

    held.lost("another holder has the lease now");

    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(held.lost()).isNull();
  }
}

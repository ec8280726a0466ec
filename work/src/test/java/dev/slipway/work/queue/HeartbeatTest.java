package dev.slipway.work.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat of one lease: renewals keep it; a holder whose renewals do not get through (the
 * database is away, or answers nothing) is told to stop before the lease could run out, so its work
 * has stopped before anyone can take over; a lease found taken stops the work at once.
 */
class HeartbeatTest {

  private static final LeaseTiming TIMING =
      new LeaseTiming(Duration.ofMillis(1200), Duration.ofMillis(300), Duration.ofMillis(300));

  private final Heartbeats heartbeats = new Heartbeats("test");
  private final AtomicReference<String> lost = new AtomicReference<>();
  private final AtomicLong lostAt = new AtomicLong();
  private final AtomicInteger cancels = new AtomicInteger();

  @AfterEach
  void stop() {
    heartbeats.close();
  }

  @Test
  void renewalsThatGetThroughKeepTheLease() {
    AtomicInteger renewals = new AtomicInteger();
    Heartbeat heartbeat =
        keep(
            System.nanoTime(),
            () -> Uni.createFrom().item(Renewal.HELD).invoke(renewals::incrementAndGet));

    await().atMost(Duration.ofSeconds(5)).until(() -> renewals.get() >= 10);

    assertThat(heartbeat.held()).isTrue();
    assertThat(lost.get()).isNull();
  }

  @Test
  void aHolderWhoseRenewalsFailIsToldToStopBeforeTheLeaseCouldRunOut() {
    long claimed = System.nanoTime();
    Heartbeat heartbeat =
        keep(claimed, () -> Uni.createFrom().failure(new IllegalStateException("database away")));

    await().atMost(Duration.ofSeconds(3)).until(() -> lost.get() != null);

    Duration stoppedAfter = Duration.ofNanos(lostAt.get() - claimed);
    assertThat(stoppedAfter)
        .isGreaterThanOrEqualTo(TIMING.lease().minus(TIMING.margin()))
        .isLessThan(TIMING.lease());
    assertThat(lost.get()).contains("no renewal got through");
    assertThat(heartbeat.held()).isFalse();
  }

  @Test
  void aRenewalThatNeverAnswersDoesNotDelayTheStop() {
    long claimed = System.nanoTime();
    keep(claimed, () -> Uni.createFrom().nothing());

    await().atMost(Duration.ofSeconds(3)).until(() -> lost.get() != null);

    assertThat(Duration.ofNanos(lostAt.get() - claimed)).isLessThan(TIMING.lease());
  }

  @Test
  void aLeaseFoundTakenStopsTheWorkAtOnce() {
    long claimed = System.nanoTime();
    keep(claimed, () -> Uni.createFrom().item(Renewal.LOST));

    await().atMost(Duration.ofSeconds(2)).until(() -> lost.get() != null);

    assertThat(lost.get()).contains("another holder");
    assertThat(Duration.ofNanos(lostAt.get() - claimed)).isLessThan(Duration.ofMillis(700));
  }

  @Test
  void aCancelAskedWhileTheLeaseIsHeldIsReportedOnceAndTheLeaseKept() {
    Heartbeat heartbeat =
        keep(System.nanoTime(), () -> Uni.createFrom().item(Renewal.CANCEL_REQUESTED));

    await().atMost(Duration.ofSeconds(3)).until(() -> cancels.get() == 1);
    await().during(Duration.ofMillis(900)).until(() -> cancels.get() == 1);

    assertThat(heartbeat.held()).isTrue();
    assertThat(lost.get()).isNull();
  }

  @Test
  void timingsThatGiveNoSecondRenewalAreRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new LeaseTiming(
                    Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(LeaseTiming.of(Duration.ofSeconds(30)).renewEvery())
        .isEqualTo(Duration.ofSeconds(10));
  }

  private Heartbeat keep(long claimedAt, java.util.function.Supplier<Uni<Renewal>> renewal) {
    return heartbeats.keep(
        "test lease",
        TIMING,
        claimedAt,
        renewal,
        new Heartbeat.Listener() {
          @Override
          public void cancelRequested() {
            cancels.incrementAndGet();
          }

          @Override
          public void lost(String why) {
            lostAt.compareAndSet(0, System.nanoTime());
            lost.compareAndSet(null, why);
          }
        });
  }
}

package dev.slipway.work.queue;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Keeps one lease while its holder works: renews it every {@link LeaseTiming#renewEvery()}, and
 * tells the holder to stop, through {@link Listener#lost}, as soon as the lease is another's or
 * could run out within {@link LeaseTiming#margin()} because no renewal got through. Times are
 * measured on this machine from the moment each renewal was sent, which is no later than the
 * database's start of the lease, so the holder stops before any other can take over whatever the
 * two clocks say. Renewals run asynchronously: a slow database never delays the watchdog.
 */
public final class Heartbeat implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Heartbeat.class);

  /** What the holder of a lease hears from its heartbeat. */
  public interface Listener {

    /** A caller asked to cancel the work (it still holds the lease): stop and finish cancelled. */
    default void cancelRequested() {}

    /** The lease is lost or about to be: stop the work at once and write no outcome. */
    void lost(String why);
  }

  private final String name;
  private final ScheduledExecutorService timer;
  private final LeaseTiming timing;
  private final Supplier<Uni<Renewal>> renewal;
  private final Listener listener;
  private ScheduledFuture<?> renewals;
  private ScheduledFuture<?> watchdog;
  private long deadline;
  private boolean cancelReported;
  private boolean over;

  Heartbeat(
      String name,
      ScheduledExecutorService timer,
      LeaseTiming timing,
      long sentAtNanos,
      Supplier<Uni<Renewal>> renewal,
      Listener listener) {
    this.name = name;
    this.timer = timer;
    this.timing = timing;
    this.renewal = renewal;
    this.listener = listener;
    long every = timing.renewEvery().toMillis();
    synchronized (this) {
      this.deadline = sentAtNanos + timing.lease().toNanos();
      this.renewals =
          timer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
      this.watchdog = watch();
    }
  }

  /** Whether the lease is still held and not about to run out. */
  public synchronized boolean held() {
    return !over && System.nanoTime() < deadline - timing.margin().toNanos();
  }

  /** Stops renewing (the work is over or was given up); nothing is reported any more. */
  @Override
  public synchronized void close() {
    over = true;
    renewals.cancel(false);
    watchdog.cancel(false);
  }

  private void renew() {
    if (isOver()) {
      return;
    }
    long sentAt = System.nanoTime();
    Uni<Renewal> attempt;
    try {
      attempt = renewal.get();
    } catch (RuntimeException e) {
      LOG.warnf("%s: lease not renewed: %s", name, e.toString());
      return;
    }
    attempt
        .ifNoItem()
        .after(timing.renewEvery())
        .fail()
        .subscribe()
        .with(
            result -> renewed(result, sentAt),
            failure -> LOG.warnf("%s: lease not renewed: %s", name, failure.toString()));
  }

  private void renewed(Renewal result, long sentAt) {
    boolean reportCancel = false;
    synchronized (this) {
      if (over) {
        return;
      }
      if (result == Renewal.LOST) {
        giveUp("another holder has the lease now");
        return;
      }
      deadline = Math.max(deadline, sentAt + timing.lease().toNanos());
      watchdog.cancel(false);
      watchdog = watch();
      if (result == Renewal.CANCEL_REQUESTED && !cancelReported) {
        cancelReported = true;
        reportCancel = true;
      }
    }
    if (reportCancel) {
      listener.cancelRequested();
    }
  }

  private synchronized ScheduledFuture<?> watch() {
    long wait = deadline - timing.margin().toNanos() - System.nanoTime();
    return timer.schedule(this::check, Math.max(0, wait), TimeUnit.NANOSECONDS);
  }

  private void check() {
    synchronized (this) {
      if (over) {
        return;
      }
      if (System.nanoTime() < deadline - timing.margin().toNanos()) {
        watchdog = watch();
        return;
      }
      giveUp(
          "no renewal got through; the lease could run out within "
              + timing.margin().toMillis()
              + " ms");
    }
  }

  // Called holding the monitor; the listener is told outside the timer's next steps.
  private void giveUp(String why) {
    over = true;
    renewals.cancel(false);
    watchdog.cancel(false);
    timer.execute(() -> listener.lost(why));
  }

  private synchronized boolean isOver() {
    return over;
  }

  /** How long the lease is still surely held. */
  public synchronized Duration remaining() {
    return Duration.ofNanos(Math.max(0, deadline - timing.margin().toNanos() - System.nanoTime()));
  }
}

package dev.slipway.scan.service;

import dev.slipway.work.queue.Heartbeat;
import dev.slipway.work.queue.Heartbeats;
import dev.slipway.work.queue.LeaseTiming;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A lease the calling thread holds while it works (a build scan, a re-evaluation), kept by work/'s
 * {@link Heartbeat}. When the heartbeat gives the lease up (another holder has it, or no renewal
 * got through and it could run out) the working thread is interrupted, so the blocking step it
 * waits on (a query, the registry, the scan) ends at once instead of running to its end, and its
 * outcome is never written. Closed by the working thread when the work is over: nothing is
 * interrupted any more, and an interrupt made here is cleared so the thread goes on to its next
 * claim.
 */
final class HeldLease implements Heartbeat.Listener, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(HeldLease.class);

  private final String work;
  private final Thread worker = Thread.currentThread();
  private Heartbeat heartbeat;
  private String lost;
  private boolean over;

  HeldLease(String work) {
    this.work = work;
  }

  /**
   * Keeps, for the calling thread, a lease of {@code duration} whose claim was sent at {@code
   * sentAtNanos}; {@code renewal} renews it.
   *
   * @param work what the thread does, named in the log
   */
  static HeldLease keep(
      Heartbeats leases,
      String work,
      Duration duration,
      long sentAtNanos,
      Supplier<Uni<Renewal>> renewal) {
    HeldLease held = new HeldLease(work);
    Heartbeat heartbeat = leases.keep(work, LeaseTiming.of(duration), sentAtNanos, renewal, held);
    synchronized (held) {
      held.heartbeat = heartbeat;
    }
    return held;
  }

  /**
   * Whether the lease is still held and not about to run out: only then may the outcome be written.
   */
  synchronized boolean held() {
    return lost == null && heartbeat != null && heartbeat.held();
  }

  /** Why the lease was given up, or null while it is held. */
  synchronized String lost() {
    return lost;
  }

  @Override
  public void lost(String why) {
    synchronized (this) {
      if (over) {
        return; // the work ended as the lease went: nothing left to stop
      }
      lost = why;
      worker.interrupt();
    }
    LOG.warnf("%s: lease given up (%s); the work is stopped and writes nothing", work, why);
  }

  /** The work is over (its outcome written or given up): stops renewing; idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (over) {
        return;
      }
      over = true;
      if (heartbeat != null) {
        heartbeat.close();
      }
      if (lost == null) {
        return;
      }
    }
    Thread.interrupted(); // the interrupt was ours and its work is over
  }
}

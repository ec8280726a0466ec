package dev.slipway.work.queue;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The timer behind the heartbeats of one set of workers (a service's build workers, its relay): two
 * daemon threads that only schedule and hand over, never wait on the database.
 */
public final class Heartbeats implements AutoCloseable {

  private final ScheduledExecutorService timer;

  public Heartbeats(String name) {
    AtomicInteger count = new AtomicInteger();
    this.timer =
        Executors.newScheduledThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, name + "-heartbeat-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Keeps {@code lease} of {@code queue} while its holder works. */
  public Heartbeat keep(
      LeasedQueue queue, Lease lease, LeaseTiming timing, Heartbeat.Listener listener) {
    return keep(
        queue.table().table() + " " + lease.id(),
        timing,
        lease.sentAtNanos(),
        () -> queue.renew(lease, timing.lease()),
        listener);
  }

  /**
   * Keeps any lease: {@code renewal} renews it; {@code sentAtNanos} is when the claim that took it
   * was sent.
   */
  public Heartbeat keep(
      String name,
      LeaseTiming timing,
      long sentAtNanos,
      Supplier<Uni<Renewal>> renewal,
      Heartbeat.Listener listener) {
    return new Heartbeat(name, timer, timing, sentAtNanos, renewal, listener);
  }

  /** The timer, for other periodic work of the same workers (it must not block). */
  public ScheduledExecutorService timer() {
    return timer;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

package dev.slipway.deploy.rollout;

import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.LeaseLostException;
import dev.slipway.deploy.repository.RolloutWorkRepository.StoreUnavailableException;
import dev.slipway.work.outbox.OutboxWritten;
import dev.slipway.work.queue.Heartbeat;
import dev.slipway.work.queue.Heartbeats;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.LeaseTiming;
import dev.slipway.work.queue.QueueWritten;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Drives rollouts on this instance: claims queued rollouts and expired leases from the database
 * (work/'s leased queue: when a commit queued one, see {@link QueueWritten}, and every claim
 * interval), takes each claimed rollout's turns on a pool of worker threads (a rollout waiting on
 * the cluster holds no thread), keeps each claim's lease with a {@link Heartbeat}, and gives them
 * up when it stops. A rollout whose lease is lost (another instance took it over) or could run out
 * because no renewal got through (the database unreachable) stops at once: its next request to the
 * cluster, or its next turn, throws, a margin before any other instance can take it over; its
 * writes are fenced anyway, so it records nothing more.
 */
@ApplicationScoped
public class RolloutWorker {

  private static final Logger LOG = Logger.getLogger(RolloutWorker.class);
  private static final Duration STORE_RETRY = Duration.ofSeconds(1);
  private static final Duration BUG_RETRY = Duration.ofSeconds(10);

  private final RolloutWorkRepository work;
  private final RolloutEngine engine;
  private final Event<OutboxWritten> outboxWritten;
  private final DeployConfig.Rollouts settings;
  private final String owner;
  // The rollouts whose turns run here, one claim each; guarded by itself.
  private final Map<String, HeldRollout> active = new HashMap<>();
  // Claimed again while a former claim of this instance still ends its turn (its lease had run
  // out): started once that claim let go, so one rollout never has two chains of turns here.
  private final Map<String, HeldRollout> waiting = new HashMap<>();
  private final AtomicBoolean claimQueued = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean(true);
  private ScheduledExecutorService timer;
  private Heartbeats heartbeats;
  private ExecutorService workers;

  public RolloutWorker(
      RolloutWorkRepository work,
      RolloutEngine engine,
      Event<OutboxWritten> outboxWritten,
      DeployConfig config) {
    this.work = work;
    this.engine = engine;
    this.outboxWritten = outboxWritten;
    this.settings = config.rollouts();
    this.owner = settings.instance().orElseGet(RolloutWorker::instanceName);
  }

  void start(@Observes StartupEvent event) {
    timer = Executors.newSingleThreadScheduledExecutor(threads("rollout-timer"));
    // Renewals on their own timer: a slow turn never delays a lease renewal.
    heartbeats = new Heartbeats("rollout");
    workers = Executors.newFixedThreadPool(settings.workerThreads(), threads("rollout-worker"));
    stopped.set(false);
    long claimEvery = settings.claimInterval().toMillis();
    timer.scheduleWithFixedDelay(this::wake, 0, claimEvery, TimeUnit.MILLISECONDS);
    LOG.infof("rollout worker %s started (%d threads)", owner, settings.workerThreads());
  }

  void stop(@Observes ShutdownEvent event) {
    if (stopped.getAndSet(true)) {
      return;
    }
    timer.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<HeldRollout> held;
    synchronized (active) {
      held = new ArrayList<>(active.values());
      held.addAll(waiting.values());
    }
    for (HeldRollout rollout : held) {
      rollout.close();
      try {
        work.release(rollout.lease()).await().atMost(settings.databaseTimeout());
      } catch (RuntimeException e) {
        LOG.warnf("could not give up the lease of rollout %s: %s", rollout.id(), e.getMessage());
      }
    }
    heartbeats.close();
  }

  /** A transaction that queued a rollout committed: look for rollouts to claim now. */
  void queued(@Observes QueueWritten written) {
    if (RolloutWorkRepository.TABLE.table().equals(written.queue())) {
      wake();
    }
  }

  /** Looks for rollouts to claim soon. */
  public void wake() {
    if (stopped.get() || !claimQueued.compareAndSet(false, true)) {
      return;
    }
    execute(
        () -> {
          claimQueued.set(false);
          claim();
        });
  }

  /** This instance's name in leases. */
  public String owner() {
    return owner;
  }

  /** How many rollouts this instance works on now. */
  public int activeCount() {
    synchronized (active) {
      return active.size() + waiting.size();
    }
  }

  /**
   * Whether this instance acts on rollout {@code id} now: it holds the rollout's lease and the
   * lease is surely not about to run out.
   */
  public boolean acting(String id) {
    synchronized (active) {
      HeldRollout held = active.get(id);
      return held != null && held.held();
    }
  }

  /** How this instance keeps its rollouts' leases. */
  private LeaseTiming timing() {
    Duration lease = settings.lease();
    return new LeaseTiming(
        lease, lease.dividedBy(3), settings.leaseMargin().orElse(lease.dividedBy(4)));
  }

  private void claim() {
    int room = settings.maxActive() - activeCount();
    if (room <= 0 || stopped.get()) {
      return;
    }
    List<Lease> claimed;
    try {
      claimed = work.claim(owner, room, settings.lease());
    } catch (RuntimeException e) {
      LOG.warnf("claiming rollouts failed, trying again later: %s", e.getMessage());
      return;
    }
    for (Lease lease : claimed) {
      HeldRollout held = new HeldRollout(lease);
      held.keptBy(
          heartbeats.keep(
              "rollout " + lease.id(),
              timing(),
              lease.sentAtNanos(),
              () -> work.renew(lease, settings.lease()),
              held));
      boolean start;
      synchronized (active) {
        start = !active.containsKey(lease.id());
        if (start) {
          active.put(lease.id(), held);
        } else {
          HeldRollout former = waiting.put(lease.id(), held);
          if (former != null) {
            former.close();
          }
        }
      }
      if (start) {
        execute(() -> turn(held, true));
      }
    }
  }

  private void turn(HeldRollout held, boolean claimed) {
    if (stopped.get()) {
      return;
    }
    if (!held.held()) {
      LOG.infof("rollout %s: lease given up, left to whichever worker claims it next", held.id());
      end(held, true);
      return;
    }
    Duration next;
    try {
      next = engine.turn(held, claimed).orElse(null);
    } catch (LeaseLostException e) {
      LOG.infof("rollout %s: lease lost, another claim goes on with it", held.id());
      end(held, true);
      return;
    } catch (StoreUnavailableException e) {
      LOG.warnf("rollout %s: %s; trying again", held.id(), e.getMessage());
      later(held, STORE_RETRY);
      return;
    } catch (RuntimeException e) {
      LOG.errorf(e, "rollout %s: unexpected failure; trying again in %s", held.id(), BUG_RETRY);
      later(held, BUG_RETRY);
      return;
    }
    if (next == null) {
      end(held, false);
      outboxWritten.fire(OutboxWritten.ROWS);
      // A rollout waiting behind this one for the same environment may go now.
      wake();
    } else {
      later(held, next);
    }
  }

  /**
   * The chain of turns of {@code held} is over here; a later claim of it may start. A rollout
   * dropped unfinished is released (fenced: only while the claim is still the row's), so a claim
   * whose lease the heartbeat gave up, e.g. one sent while the database was away whose answer came
   * too late to trust, does not keep the rollout from any worker until it runs out.
   */
  private void end(HeldRollout held, boolean unfinished) {
    held.close();
    if (unfinished) {
      work.release(held.lease())
          .subscribe()
          .with(
              released -> {},
              failure ->
                  LOG.debugf("rollout %s: lease not released: %s", held.id(), failure.toString()));
    }
    HeldRollout next;
    synchronized (active) {
      active.remove(held.id(), held);
      next = waiting.remove(held.id());
      if (next != null) {
        active.put(next.id(), next);
      }
    }
    if (next != null) {
      execute(() -> turn(next, true));
    }
  }

  private void later(HeldRollout held, Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      execute(() -> turn(held, false));
      return;
    }
    try {
      timer.schedule(
          () -> execute(() -> turn(held, false)), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // stopping
    }
  }

  private void execute(Runnable task) {
    try {
      workers.execute(task);
    } catch (RejectedExecutionException e) {
      // stopping
    }
  }

  private static String instanceName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "deploy-service";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}

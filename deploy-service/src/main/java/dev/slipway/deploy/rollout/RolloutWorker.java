package dev.slipway.deploy.rollout;

import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.LeaseLostException;
import dev.slipway.deploy.repository.RolloutWorkRepository.StoreUnavailableException;
import dev.slipway.work.outbox.OutboxWritten;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 * (when a request is recorded, and every claim interval), takes each claimed rollout's turns on a
 * pool of worker threads (a rollout waiting on the cluster holds no thread), renews its leases
 * while it works on them, and gives them up when it stops. A rollout whose lease it lost (another
 * instance took it over after this one stalled) is dropped at its next turn.
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
  private final Set<String> active = ConcurrentHashMap.newKeySet();
  // Claimed again while still scheduled here: its lease had expired (this instance stalled).
  private final Set<String> reclaimed = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean claimQueued = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean(true);
  private ScheduledExecutorService timer;
  private ScheduledExecutorService leases;
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
    leases = Executors.newSingleThreadScheduledExecutor(threads("rollout-lease"));
    workers = Executors.newFixedThreadPool(settings.workerThreads(), threads("rollout-worker"));
    stopped.set(false);
    long claimEvery = settings.claimInterval().toMillis();
    timer.scheduleWithFixedDelay(this::nudge, 0, claimEvery, TimeUnit.MILLISECONDS);
    long renewEvery = Math.max(100, settings.lease().toMillis() / 3);
    leases.scheduleWithFixedDelay(this::renew, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    LOG.infof("rollout worker %s started (%d threads)", owner, settings.workerThreads());
  }

  void stop(@Observes ShutdownEvent event) {
    if (stopped.getAndSet(true)) {
      return;
    }
    timer.shutdownNow();
    leases.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      work.release(owner, List.copyOf(active));
    } catch (RuntimeException e) {
      LOG.warnf("could not give up the leases of %d rollouts: %s", active.size(), e.getMessage());
    }
  }

  /** Looks for rollouts to claim soon, e.g. because a request was just recorded. */
  public void nudge() {
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
    return active.size();
  }

  private void claim() {
    int room = settings.maxActive() - active.size();
    if (room <= 0 || stopped.get()) {
      return;
    }
    List<String> claimed;
    try {
      claimed = work.claim(owner, room, settings.lease());
    } catch (RuntimeException e) {
      LOG.warnf("claiming rollouts failed, trying again later: %s", e.getMessage());
      return;
    }
    for (String id : claimed) {
      if (active.add(id)) {
        execute(() -> turn(id, true));
      } else {
        reclaimed.add(id);
      }
    }
  }

  private void turn(String id, boolean claimed) {
    if (stopped.get()) {
      return;
    }
    Duration next;
    try {
      next = engine.turn(id, owner, reclaimed.remove(id) || claimed).orElse(null);
    } catch (LeaseLostException e) {
      LOG.infof("rollout %s: lease lost, another instance goes on with it", id);
      active.remove(id);
      return;
    } catch (StoreUnavailableException e) {
      LOG.warnf("rollout %s: %s; trying again", id, e.getMessage());
      later(id, STORE_RETRY);
      return;
    } catch (RuntimeException e) {
      LOG.errorf(e, "rollout %s: unexpected failure; trying again in %s", id, BUG_RETRY);
      later(id, BUG_RETRY);
      return;
    }
    if (next == null) {
      active.remove(id);
      outboxWritten.fire(OutboxWritten.ROWS);
      // A rollout waiting behind this one for the same environment may go now.
      nudge();
    } else {
      later(id, next);
    }
  }

  private void later(String id, Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      execute(() -> turn(id, false));
      return;
    }
    try {
      timer.schedule(() -> execute(() -> turn(id, false)), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // stopping
    }
  }

  private void renew() {
    if (active.isEmpty()) {
      return;
    }
    try {
      Set<String> held = work.renew(owner, List.copyOf(active), settings.lease());
      // Finished rollouts leave on their own; ones no longer held are dropped at their next turn.
      int lost = (int) active.stream().filter(id -> !held.contains(id)).count();
      if (lost > 0) {
        LOG.debugf("%d rollouts no longer leased by %s", lost, owner);
      }
    } catch (RuntimeException e) {
      LOG.warnf("renewing rollout leases failed: %s", e.getMessage());
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

package dev.slipway.build.service;

import dev.slipway.build.BuildOutcome;
import dev.slipway.build.BuildStatus;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.executor.Cancellation;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.log.SecretMasker;
import dev.slipway.build.repository.BuildLogRepository;
import dev.slipway.build.repository.BuildQueue;
import dev.slipway.build.repository.Claim;
import dev.slipway.build.stage.BuildPhases;
import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.work.outbox.OutboxWritten;
import dev.slipway.work.queue.Heartbeat;
import dev.slipway.work.queue.Heartbeats;
import dev.slipway.work.queue.LeaseTiming;
import dev.slipway.work.queue.QueueWritten;
import dev.slipway.work.queue.Renewal;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * This instance's build workers: each claims the oldest claimable build from the database queue
 * ({@code FOR UPDATE SKIP LOCKED}, so instances never claim the same one), runs it, and records its
 * outcome with its build.done in one transaction. While a build runs, a heartbeat ({@link
 * Heartbeat}) renews its lease and notices a cancel asked on another instance; a worker whose lease
 * was lost (another instance took the build over) or could run out because no renewal got through
 * (the database unreachable) stops the build before any other instance can take it over, and
 * records nothing. On shutdown running builds are stopped and their leases released, so another
 * instance starts them again at once. See DESIGN.md beside this package.
 */
@ApplicationScoped
public class BuildWorkers {

  private static final Logger LOG = Logger.getLogger(BuildWorkers.class);

  private final BuildConfig config;
  private final BuildQueue builds;
  private final BuildLogRepository logs;
  private final BuildRunner runner;
  private final Event<OutboxWritten> outboxWritten;
  private final MeterRegistry metrics;
  private final String instance;
  private final Semaphore wake = new Semaphore(0);
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Map<String, String> dead = new ConcurrentHashMap<>();
  private Heartbeats heartbeats;
  private ScheduledExecutorService logFlushes;
  private List<Thread> workers = List.of();

  public BuildWorkers(
      BuildConfig config,
      BuildQueue builds,
      BuildLogRepository logs,
      BuildRunner runner,
      Event<OutboxWritten> outboxWritten,
      MeterRegistry metrics) {
    this.config = config;
    this.builds = builds;
    this.logs = logs;
    this.runner = runner;
    this.outboxWritten = outboxWritten;
    this.metrics = metrics;
    this.instance = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  void start(@Observes StartupEvent event) {
    // Renewals on their own timer: a slow log write never delays a lease renewal.
    heartbeats = new Heartbeats("build");
    logFlushes =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "build-log-flush");
              t.setDaemon(true);
              return t;
            });
    List<Thread> started = new java.util.ArrayList<>();
    for (int i = 0; i < config.workers(); i++) {
      String owner = instance + "/" + i;
      Thread thread = new Thread(() -> work(owner), "build-worker-" + i);
      thread.setDaemon(true);
      thread.start();
      started.add(thread);
    }
    workers = List.copyOf(started);
    LOG.infof("%d build workers started as %s", config.workers(), instance);
  }

  void stop(@Observes ShutdownEvent event) {
    stopping.set(true);
    wake.release(workers.size());
    running.values().forEach(r -> r.abandon());
    for (Thread worker : workers) {
      try {
        worker.join(config.local().killGrace().plusSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (heartbeats != null) {
      heartbeats.close();
      logFlushes.shutdownNow();
    }
  }

  /**
   * A transaction that queued a build committed (a commit.received, a retry): wake an idle worker
   * now rather than at its next poll.
   */
  void queued(@Observes QueueWritten written) {
    if (BuildQueue.TABLE.table().equals(written.queue())) {
      wake.release();
    }
  }

  /**
   * Stops build {@code buildId} if it runs on this instance.
   *
   * @return whether it ran here
   */
  public boolean cancelLocally(String buildId, String by) {
    Running build = running.get(buildId);
    if (build == null) {
      return false;
    }
    build.cancellation.cancel(by);
    return true;
  }

  /** Workers that died of an {@link Error} (an OutOfMemoryError, say), with what killed them. */
  public Map<String, String> deadWorkers() {
    return Map.copyOf(dead);
  }

  private void work(String owner) {
    guard(owner, () -> loop(owner));
  }

  /**
   * Runs a worker's body; an {@link Error} (the JVM out of memory, say) ends the worker but is
   * recorded, so readiness turns DOWN instead of the instance running on with a dead thread.
   */
  void guard(String owner, Runnable body) {
    try {
      body.run();
    } catch (Error e) {
      dead.put(owner, e.toString());
      LOG.errorf(e, "build worker %s died; this instance reports itself not ready", owner);
    }
  }

  private void loop(String owner) {
    while (!stopping.get()) {
      Optional<Claim> claim;
      try {
        claim = builds.claim(owner, config.lease()).await().atMost(Duration.ofSeconds(30));
      } catch (RuntimeException e) {
        LOG.warnf("%s: cannot claim a build: %s", owner, e.getMessage());
        idle();
        continue;
      }
      if (claim.isEmpty()) {
        idle();
        continue;
      }
      try {
        execute(claim.get());
      } catch (RuntimeException e) {
        LOG.errorf(e, "build %s: worker %s failed", claim.get().buildId(), owner);
      }
    }
  }

  private void idle() {
    try {
      wake.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
      wake.drainPermits();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void execute(Claim claim) {
    String runId = claim.commit().runId();
    BuildPhases phases = new BuildPhases();
    if (claim.attempt() == 1 && claim.claims() == 1) {
      // From the commit.received (the trigger's clock) to this first claim; a retry or a take-over
      // waited for other reasons.
      phases.took(
          "queued",
          Math.max(0, Duration.between(claim.commit().time(), OffsetDateTime.now()).toMillis()));
    }
    long preparing = System.nanoTime();
    // A take-over by this very instance waits until its own former claim, which gave the lease up,
    // has stopped: both would use the same workspace and continue the same log.
    while (running.containsKey(claim.buildId())) {
      sleep(Duration.ofMillis(50));
    }
    long firstSeq = logs.nextSeq(claim.buildId()).await().atMost(Duration.ofSeconds(30));
    BuildLog log =
        new BuildLog(
            SecretMasker.of(List.of()),
            firstSeq,
            (seq, lines) ->
                logs.append(claim.buildId(), seq, lines).await().atMost(Duration.ofSeconds(30)),
            new BuildLog.Limits(config.log().maxBytes(), config.log().maxLineLength()));
    Running build = new Running(claim, log);
    running.put(claim.buildId(), build);
    Heartbeat heartbeat =
        heartbeats.keep(
            "build " + claim.buildId(), timing(), claim.sentAtNanos(), build::renew, build);
    // Followers read the log from the database: store new lines often.
    ScheduledFuture<?> logFlush =
        logFlushes.scheduleWithFixedDelay(
            () -> flushQuietly(log),
            config.logFlushInterval().toMillis(),
            config.logFlushInterval().toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      if (claim.cancelRequestedBy() != null) {
        build.cancellation.cancel(claim.cancelRequestedBy());
      }
      if (claim.isTakeover()) {
        log.info(
            "==> taken over by "
                + claim.owner()
                + ": the instance that held this build stopped renewing its lease (claim "
                + claim.claims()
                + ")");
      }
      phases.took("prepare", (System.nanoTime() - preparing) / 1_000_000);
      LOG.infof("run %s: build %s started by %s", runId, claim.buildId(), claim.owner());
      BuildOutcome outcome =
          claim.claims() > config.maxClaims()
              ? abandonedTooOften(claim, log)
              : run(claim, log, build, phases);
      if (build.lost.get() || build.abandoned.get()) {
        LOG.infof(
            "run %s: build %s left to another instance (%s)",
            runId, claim.buildId(), build.abandoned.get() ? "shutting down" : "lease lost");
        flushQuietly(log);
        if (build.abandoned.get()) {
          builds.release(claim).await().atMost(Duration.ofSeconds(10));
        }
        return;
      }
      record(claim, outcome, log, build, phases);
    } finally {
      logFlush.cancel(false);
      // After the outcome: the build.done does not wait for the workspace's removal; the build
      // stays in `running` meanwhile, so a take-over here never meets the workspace half-removed.
      runner.cleanUp(claim, phases);
      phases.recordInto(metrics);
      heartbeat.close();
      running.remove(claim.buildId(), build);
    }
  }

  private BuildOutcome run(Claim claim, BuildLog log, Running build, BuildPhases phases) {
    try {
      return runner.run(claim, log, build.cancellation, phases);
    } catch (RuntimeException e) {
      LOG.errorf(e, "build %s failed unexpectedly", claim.buildId());
      log.info("==> FAILED: internal error: " + log.mask(String.valueOf(e.getMessage())));
      return BuildOutcome.failed(
          BuildStatus.FAILED,
          new Failure("internal", null, "internal error: " + log.mask(e.toString()), log.tail()),
          TestCounts.NONE,
          Map.of(),
          List.of(),
          0);
    }
  }

  private static BuildOutcome abandonedTooOften(Claim claim, BuildLog log) {
    String reason =
        "abandoned "
            + (claim.claims() - 1)
            + " times by instances that stopped while building it; not started again";
    log.info("==> FAILED: " + reason);
    return BuildOutcome.failed(
        BuildStatus.FAILED,
        new Failure("queue", null, reason, log.tail()),
        TestCounts.NONE,
        Map.of(),
        List.of(),
        0);
  }

  /** How this instance keeps its builds' leases. */
  private LeaseTiming timing() {
    return new LeaseTiming(
        config.lease(),
        config.heartbeat(),
        config.leaseMargin().orElse(config.lease().dividedBy(4)));
  }

  /**
   * Records the outcome and its build.done, retrying while the database is away, as long as the
   * lease is surely held: once the heartbeat gave it up, the outcome is another claim's to write.
   */
  private void record(
      Claim claim, BuildOutcome ended, BuildLog log, Running build, BuildPhases phases) {
    Duration delay = Duration.ofMillis(200);
    while (!build.lost.get()) {
      try {
        long flushing = System.nanoTime();
        flushQuietly(log);
        log.flush();
        long finishing = System.nanoTime();
        phases.took("log-flush", (finishing - flushing) / 1_000_000);
        Optional<BuildOutcome> recorded =
            builds
                .finish(
                    claim,
                    ended,
                    outcome -> BuildEvents.buildDone(claim.buildId(), claim.commit(), outcome))
                .await()
                .atMost(Duration.ofSeconds(30));
        phases.took("record", (System.nanoTime() - finishing) / 1_000_000);
        if (recorded.isPresent()) {
          build.recorded = true;
          BuildOutcome outcome = recorded.get();
          metrics.counter("slipway.builds", "status", outcome.status().name()).increment();
          metrics
              .timer("slipway.build.duration", "status", outcome.status().name())
              .record(Duration.ofMillis(outcome.durationMs()));
          LOG.infof(
              "run %s: build %s %s%s (%s)",
              claim.commit().runId(),
              claim.buildId(),
              outcome.status(),
              outcome.failure() == null
                  ? ""
                  : " in " + outcome.failure().step() + ": " + outcome.failure().reason(),
              phases);
          outboxWritten.fire(OutboxWritten.ROWS);
        } else {
          LOG.infof("build %s: the outcome belongs to another instance now", claim.buildId());
        }
        return;
      } catch (RuntimeException e) {
        LOG.warnf("build %s: cannot record the outcome yet: %s", claim.buildId(), e.getMessage());
        sleep(delay);
        delay =
            delay.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                ? Duration.ofSeconds(5)
                : delay.multipliedBy(2);
      }
    }
  }

  private static void flushQuietly(BuildLog log) {
    try {
      log.flush();
    } catch (RuntimeException e) {
      LOG.debugf("log flush deferred: %s", e.getMessage());
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "build-service";
    }
  }

  /** A build running on this instance, and what its heartbeat tells it. */
  private final class Running implements Heartbeat.Listener {
    final Claim claim;
    final BuildLog log;
    final Cancellation cancellation = new Cancellation();
    final AtomicBoolean lost = new AtomicBoolean();
    final AtomicBoolean abandoned = new AtomicBoolean();
    volatile boolean recorded;

    Running(Claim claim, BuildLog log) {
      this.claim = claim;
      this.log = log;
    }

    /**
     * One renewal of the lease; a cancel accepted on another instance stops the build here (who
     * asked is read until it is known, so the build ends "cancelled by" them).
     */
    io.smallrye.mutiny.Uni<Renewal> renew() {
      return builds
          .renew(claim, config.lease())
          .call(
              renewal ->
                  renewal != Renewal.CANCEL_REQUESTED || cancellation.isCancelled()
                      ? io.smallrye.mutiny.Uni.createFrom().voidItem()
                      : builds
                          .cancelRequestedBy(claim.buildId())
                          .invoke(
                              by -> {
                                if (by != null) {
                                  cancellation.cancel(by);
                                }
                              })
                          .onFailure()
                          .recoverWithNull());
    }

    @Override
    public void lost(String why) {
      if (recorded) {
        // A renewal that crossed the finish: the build is over, nothing to stop.
        return;
      }
      LOG.warnf("build %s: lease given up (%s); stopping it here", claim.buildId(), why);
      lost.set(true);
      cancellation.cancel("lease lost");
    }

    void abandon() {
      abandoned.set(true);
      cancellation.cancel("shutdown of " + instance);
    }
  }
}

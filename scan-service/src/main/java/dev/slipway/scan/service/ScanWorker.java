package dev.slipway.scan.service;

import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.ScanRequested;
import dev.slipway.scan.client.OciSbomClient;
import dev.slipway.scan.client.SbomUnavailableException;
import dev.slipway.scan.config.ScanConfig;
import dev.slipway.scan.repository.ScanQueue;
import dev.slipway.scan.repository.ScanQueue.ClaimedScan;
import dev.slipway.scan.sbom.SbomReader.SbomFormatException;
import dev.slipway.work.WakeUp;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.outbox.OutboxWritten;
import dev.slipway.work.queue.Heartbeats;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Runs pending build scans off the Kafka consumer: claims one from the database (the oldest
 * waiting, or one whose lease expired because its worker died), renews the lease while it works
 * (work/'s {@code Heartbeat}, through {@link HeldLease}), reads the SBOM from the registry, scans
 * it and stores verdict and events in one transaction, fenced by the lease's owner and token. A
 * worker whose lease is lost, or could run out because no renewal got through, stops the scan (its
 * thread is interrupted, so the fetch or scan it waits on ends) and writes nothing. See {@code
 * DESIGN.md} beside this package for the states.
 */
@ApplicationScoped
public class ScanWorker {

  private static final Logger LOG = Logger.getLogger(ScanWorker.class);
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

  private final ScanQueue scans;
  private final OciSbomClient registry;
  private final Scanner scanner;
  private final Event<OutboxWritten> outboxWritten;
  private final StartupImport startupImport;
  private final ScanConfig config;
  private final MeterRegistry metrics;
  private final String owner = "scan-worker-" + UUID.randomUUID();
  private final WakeUp signal = new WakeUp();
  private volatile boolean running;
  private ExecutorService workers;
  private Heartbeats leases;

  public ScanWorker(
      ScanQueue scans,
      OciSbomClient registry,
      Scanner scanner,
      Event<OutboxWritten> outboxWritten,
      StartupImport startupImport,
      ScanConfig config,
      MeterRegistry metrics) {
    this.scans = scans;
    this.registry = registry;
    this.scanner = scanner;
    this.outboxWritten = outboxWritten;
    this.startupImport = startupImport;
    this.config = config;
    this.metrics = metrics;
  }

  void start(@Observes StartupEvent startup) {
    running = true;
    int threads = config.worker().threads();
    workers = Executors.newFixedThreadPool(threads, r -> new Thread(r, "scan-worker"));
    leases = new Heartbeats("scan");
    for (int i = 0; i < threads; i++) {
      workers.submit(this::loop);
    }
  }

  void stop(@Observes ShutdownEvent shutdown) {
    running = false;
    wake();
    if (workers != null) {
      workers.shutdownNow();
      leases.close();
    }
  }

  /** Asks an idle worker to look for work now (a scan was just recorded). */
  public void wake() {
    signal.wake();
  }

  void requested(@Observes ScanRequested requested) {
    wake();
  }

  private void loop() {
    try {
      startupImport.await();
    } catch (InterruptedException e) {
      return;
    }
    while (running) {
      boolean worked = false;
      try {
        Optional<ClaimedScan> claimed =
            scans.claim(owner, config.worker().lease()).await().atMost(STEP_TIMEOUT);
        if (claimed.isPresent()) {
          worked = true;
          run(claimed.get());
        }
      } catch (RuntimeException e) {
        LOG.warnf("scan worker: %s; trying again", e.toString());
      }
      if (!worked) {
        waitForSignal(config.worker().pollInterval());
      }
    }
  }

  private void run(ClaimedScan scan) {
    String runId = scan.build().runId();
    Duration lease = config.worker().lease();
    String work = "scan " + scan.scanId();
    long start = System.nanoTime();
    try (HeldLease held =
        HeldLease.keep(
            leases, work, lease, scan.lease().sentAtNanos(), () -> scans.renew(scan, lease))) {
      try {
        LOG.infof("run %s: scanning %s (attempt %d)", runId, scan.sbomRef(), scan.attempts());
        ScanOutcome outcome = outcome(scan, held);
        if (outcome == null) {
          return;
        }
        if (!held.held()) {
          LOG.warnf("run %s: %s left to another worker (%s)", runId, work, held.lost());
          return;
        }
        List<OutboxEvent> events =
            ScanEvents.of(
                scan.build(), scan.scanId(), outcome, scan.policy(), config.maxFindingsInEvent());
        boolean finished = scans.finish(scan, outcome, events).await().atMost(STEP_TIMEOUT);
        held.close();
        if (finished) {
          outboxWritten.fire(OutboxWritten.ROWS);
          metrics
              .timer("slipway.scan.duration", "verdict", outcome.gate().verdict().name())
              .record(Duration.ofNanos(System.nanoTime() - start));
          LOG.infof(
              "run %s: %s %s: %s", runId, work, outcome.gate().verdict(), outcome.gate().reason());
        } else {
          LOG.warnf("run %s: %s was taken over by another worker", runId, work);
        }
      } catch (RuntimeException e) {
        if (held.lost() == null) {
          throw e;
        }
        LOG.warnf("run %s: %s stopped: its lease was given up (%s)", runId, work, held.lost());
      }
    }
  }

  /** The outcome to store, or null when the scan was put back to be retried later. */
  private ScanOutcome outcome(ClaimedScan scan, HeldLease held) {
    byte[] sbom;
    try {
      sbom = registry.fetch(scan.sbomRef());
    } catch (SbomUnavailableException e) {
      if (e.passing() && scan.attempts() < config.worker().maxAttempts()) {
        Duration delay =
            config.worker().retryDelay().multipliedBy(1L << Math.min(10, scan.attempts() - 1));
        LOG.warnf("run %s: %s; retrying in %s", scan.build().runId(), e.getMessage(), delay);
        if (held.held()) {
          scans.retryLater(scan, e.getMessage(), delay).await().atMost(STEP_TIMEOUT);
        }
        return null;
      }
      String tries = e.passing() ? " (gave up after " + scan.attempts() + " attempts)" : "";
      return scanner
          .unreadable("SBOM unreadable: " + e.getMessage() + tries)
          .await()
          .atMost(STEP_TIMEOUT);
    }
    try {
      return scanner.scan(sbom, scan.policy(), scan.ignores()).await().atMost(STEP_TIMEOUT);
    } catch (SbomFormatException e) {
      return scanner
          .unreadable("SBOM " + scan.sbomRef() + " unreadable: " + e.getMessage())
          .await()
          .atMost(STEP_TIMEOUT);
    }
  }

  private void waitForSignal(Duration timeout) {
    if (!signal.await(timeout)) {
      running = false;
    }
  }
}

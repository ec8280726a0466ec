package dev.slipway.scan.service;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityFound;
import dev.slipway.scan.DigestServing;
import dev.slipway.scan.config.ScanConfig;
import dev.slipway.scan.match.Candidate;
import dev.slipway.scan.match.MatchedFinding;
import dev.slipway.scan.match.Matcher;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.policy.GateResult;
import dev.slipway.scan.policy.PolicyGate;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.DeploymentRepository;
import dev.slipway.scan.repository.DeploymentRepository.Running;
import dev.slipway.scan.repository.ReevaluationRepository;
import dev.slipway.scan.repository.ReevaluationRepository.Claimed;
import dev.slipway.scan.repository.ReevaluationRepository.ExposureRow;
import dev.slipway.scan.repository.ReevaluationRepository.KnownName;
import dev.slipway.scan.repository.ReevaluationRepository.ScannedUnder;
import dev.slipway.scan.sbom.InstalledPackage;
import dev.slipway.scan.service.AdvisoryImporter.AdvisoriesChanged;
import dev.slipway.work.WakeUp;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.outbox.OutboxWritten;
import dev.slipway.work.queue.Heartbeats;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Re-evaluates what already runs when the advisory database changes, as Trivy Operator and
 * Dependency-Track do: every digest serving in any environment whose components an imported or
 * replaced advisory names is matched again from the components its scan stored, release by release.
 * A finding none of whose names was known for that component, at or above the severity the digest's
 * policy fails on and not under an active ignore, is stored as an exposure and published as {@code
 * vulnerability.found} through the outbox, once per application and environment (event ids derived
 * from what was found, so a retry publishes the same events). The work is queued by the import's
 * transaction and claimed here from work/'s leased queue; a heartbeat renews the lease, and when no
 * renewal got through the re-evaluation is stopped (its thread interrupted) before the lease can
 * pass on, and writes nothing.
 */
@ApplicationScoped
public class Reevaluator {

  private static final Logger LOG = Logger.getLogger(Reevaluator.class);
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);

  /** A digest without a stored scan is judged by the strictest policy. */
  private static final ScannedUnder STRICTEST =
      new ScannedUnder(new ScanPolicy(Severity.UNKNOWN, false), List.of());

  private final ReevaluationRepository reevaluations;
  private final AdvisoryRepository advisories;
  private final DeploymentRepository deployments;
  private final Event<OutboxWritten> outboxWritten;
  private final ScanConfig config;
  private final String owner = "reevaluator-" + UUID.randomUUID();
  private final WakeUp signal = new WakeUp();
  private volatile boolean running;
  private ExecutorService thread;
  private Heartbeats leases;

  public Reevaluator(
      ReevaluationRepository reevaluations,
      AdvisoryRepository advisories,
      DeploymentRepository deployments,
      Event<OutboxWritten> outboxWritten,
      ScanConfig config) {
    this.reevaluations = reevaluations;
    this.advisories = advisories;
    this.deployments = deployments;
    this.outboxWritten = outboxWritten;
    this.config = config;
  }

  void start(@Observes StartupEvent startup) {
    running = true;
    thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "reevaluator"));
    leases = new Heartbeats("reevaluator");
    thread.submit(this::loop);
  }

  void stop(@Observes ShutdownEvent shutdown) {
    running = false;
    signal.wake();
    if (thread != null) {
      thread.shutdownNow();
      leases.close();
    }
  }

  /** An import committed changed advisories: look now. */
  void changed(@Observes AdvisoriesChanged event) {
    signal.wake();
  }

  /** A digest began to serve: look now. */
  void deployed(@Observes DigestServing event) {
    signal.wake();
  }

  private void loop() {
    while (running) {
      boolean worked = false;
      try {
        Optional<Claimed> claimed =
            reevaluations.claim(owner, config.reevaluation().lease()).await().atMost(STEP_TIMEOUT);
        if (claimed.isPresent()) {
          worked = true;
          run(claimed.get());
        }
      } catch (RuntimeException e) {
        LOG.warnf("re-evaluation: %s; trying again", e.toString());
      }
      if (!worked && !signal.await(config.reevaluation().pollInterval())) {
        running = false;
      }
    }
  }

  private void run(Claimed claimed) {
    Duration lease = config.reevaluation().lease();
    String work = "re-evaluation " + claimed.id();
    long start = System.nanoTime();
    try (HeldLease held =
        HeldLease.keep(
            leases,
            work,
            lease,
            claimed.lease().sentAtNanos(),
            () -> reevaluations.renew(claimed, lease))) {
      try {
        Outcome outcome = evaluate(claimed);
        if (!held.held()) {
          LOG.warnf("%s left to another instance (%s)", work, held.lost());
          return;
        }
        boolean finished =
            reevaluations
                .finish(claimed, outcome.known(), outcome.exposures(), outcome.events())
                .await()
                .atMost(STEP_TIMEOUT);
        held.close();
        if (!finished) {
          LOG.warnf("%s was taken over by another instance; nothing written", work);
          return;
        }
        if (!outcome.events().isEmpty()) {
          outboxWritten.fire(OutboxWritten.ROWS);
        }
        LOG.infof(
            "%s (database %s, %s): %d running digests matched again, %d new findings at or"
                + " above their policy, in %d ms",
            work,
            claimed.dbVersion(),
            claimed.digest() != null
                ? "digest " + claimed.digest()
                : claimed.advisories().size() + " advisories",
            outcome.digests(),
            outcome.exposures().size(),
            (System.nanoTime() - start) / 1_000_000);
      } catch (RuntimeException e) {
        if (held.lost() != null) {
          LOG.warnf("%s stopped: its lease was given up (%s)", work, held.lost());
          return;
        }
        LOG.warnf(e, "%s failed (attempt %d)", work, claimed.attempts());
        reevaluations.giveBack(claimed).await().atMost(STEP_TIMEOUT);
      }
    }
  }

  /** What a re-evaluation found; public for the benchmark, which times it alone. */
  public record Outcome(
      int digests, List<KnownName> known, List<ExposureRow> exposures, List<OutboxEvent> events) {}

  /** Matches the running digests the claimed advisories (or digest) concern; writes nothing. */
  public Outcome evaluate(Claimed claimed) {
    List<Running> serving;
    List<Candidate> candidates;
    if (claimed.digest() != null) {
      // A digest that began to serve: all of its components against the database as it is.
      serving = deployments.runningDigest(claimed.digest()).await().atMost(STEP_TIMEOUT);
      Map<String, InstalledPackage> packages = new LinkedHashMap<>();
      serving.forEach(r -> packages.putIfAbsent(r.pkg().purl(), r.pkg()));
      candidates =
          packages.isEmpty()
              ? List.of()
              : advisories
                  .candidatesFor(List.copyOf(packages.values()))
                  .await()
                  .atMost(STEP_TIMEOUT);
    } else {
      // Only the advisories that name something running are loaded: after a full import most
      // name nothing that serves.
      List<DeploymentRepository.NamedBy> named =
          deployments.runningNamedBy(claimed.advisories()).await().atMost(STEP_TIMEOUT);
      List<String> involved =
          named.stream().map(DeploymentRepository.NamedBy::advisoryId).distinct().toList();
      candidates =
          involved.isEmpty()
              ? List.of()
              : advisories.candidatesOf(involved).await().atMost(STEP_TIMEOUT);
      serving = named.stream().map(DeploymentRepository.NamedBy::running).toList();
    }
    if (candidates.isEmpty()) {
      return new Outcome(0, List.of(), List.of(), List.of());
    }
    Map<String, List<Running>> byDigest = new LinkedHashMap<>();
    serving.forEach(r -> byDigest.computeIfAbsent(r.digest(), d -> new ArrayList<>()).add(r));
    if (byDigest.isEmpty()) {
      return new Outcome(0, List.of(), List.of(), List.of());
    }
    List<String> digests = List.copyOf(byDigest.keySet());
    Map<String, Map<String, Set<String>>> known =
        reevaluations.known(digests).await().atMost(STEP_TIMEOUT);
    Map<String, ScannedUnder> policies =
        reevaluations.policies(digests).await().atMost(STEP_TIMEOUT);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    List<KnownName> knownNames = new ArrayList<>();
    List<ExposureRow> exposures = new ArrayList<>();
    List<OutboxEvent> events = new ArrayList<>();
    for (Map.Entry<String, List<Running>> entry : byDigest.entrySet()) {
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("stopped: the lease was given up");
      }
      String digest = entry.getKey();
      Map<String, InstalledPackage> packages = new LinkedHashMap<>();
      Map<String, Running> deployed = new LinkedHashMap<>();
      for (Running r : entry.getValue()) {
        packages.putIfAbsent(r.pkg().purl(), r.pkg());
        deployed.putIfAbsent(r.application() + "\u0000" + r.environment(), r);
      }
      List<MatchedFinding> matched =
          Matcher.match(List.copyOf(packages.values()), withModules(candidates, packages.values()));
      Map<String, Set<String>> knownHere = known.getOrDefault(digest, Map.of());
      List<MatchedFinding> fresh = new ArrayList<>();
      for (MatchedFinding finding : matched) {
        Set<String> knownNamesOfPurl = knownHere.getOrDefault(finding.packageUrl(), Set.of());
        List<String> all = new ArrayList<>(finding.aliases());
        all.add(finding.advisoryId());
        if (all.stream().noneMatch(knownNamesOfPurl::contains)) {
          fresh.add(finding);
          all.forEach(n -> knownNames.add(new KnownName(digest, finding.packageUrl(), n)));
        }
      }
      if (fresh.isEmpty()) {
        continue;
      }
      ScannedUnder scannedUnder = policies.getOrDefault(digest, STRICTEST);
      GateResult gate =
          PolicyGate.evaluate(
              fresh, List.of(), scannedUnder.policy(), scannedUnder.ignores(), today);
      for (Finding finding : gate.findings()) {
        if (!finding.blocking()) {
          continue;
        }
        for (Running where : deployed.values()) {
          addExposure(
              where, finding, scannedUnder.policy(), claimed.dbVersion(), exposures, events);
        }
      }
    }
    return new Outcome(byDigest.size(), knownNames, exposures, events);
  }

  /** Go entries naming a package path below a running module, seen from that module. */
  private static List<Candidate> withModules(
      List<Candidate> candidates, java.util.Collection<InstalledPackage> packages) {
    List<Candidate> result = new ArrayList<>(candidates);
    for (Candidate candidate : candidates) {
      if (!Ecosystem.GO.osvName().equals(Ecosystem.baseName(candidate.affected().ecosystem()))) {
        continue;
      }
      packages.stream()
          .filter(p -> p.ecosystem() == Ecosystem.GO)
          .map(InstalledPackage::name)
          .filter(module -> Matcher.coversPackage(module, candidate.affected().name()))
          .distinct()
          .forEach(module -> result.add(candidate.forModule(module)));
    }
    return result;
  }

  private static void addExposure(
      Running where,
      Finding finding,
      ScanPolicy policy,
      String dbVersion,
      List<ExposureRow> exposures,
      List<OutboxEvent> events) {
    String eventId =
        Envelope.derivedId(
            "vulnerability.found",
            where.application(),
            where.environment(),
            where.digest(),
            finding.packageUrl(),
            finding.advisoryId());
    Severity gatedAs = PolicyGate.gatedSeverity(finding.severity(), policy);
    exposures.add(
        new ExposureRow(
            eventId,
            where.application(),
            where.environment(),
            where.digest(),
            where.image(),
            finding.packageUrl(),
            finding.version(),
            finding.advisoryId(),
            finding.aliases(),
            finding.severity().name(),
            gatedAs.name(),
            finding.fixedVersion(),
            dbVersion));
    VulnerabilityFound payload =
        new VulnerabilityFound(
            where.environment(),
            where.cluster(),
            where.namespace(),
            where.image(),
            where.digest(),
            finding,
            gatedAs,
            policy.failOn(),
            dbVersion);
    events.add(
        OutboxEvent.of(
            new Envelope<>(
                eventId,
                ScanEvents.SOURCE,
                EventType.VULNERABILITY_FOUND.ceType(),
                OffsetDateTime.now(ZoneOffset.UTC),
                where.application(),
                where.runId() != null ? where.runId() : where.deployEventId(),
                where.deployEventId(),
                where.commitSha(),
                payload)));
  }
}

package dev.slipway.deploy.rollout;

import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.deploy.client.ClusterUnreachableException;
import dev.slipway.deploy.client.PrometheusClient;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.ReleaseRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.StoreUnavailableException;
import dev.slipway.deploy.service.PromotionPlanner;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The rollout state machine (DESIGN.md beside this class): one {@link #turn} reads the rollout as
 * stored, looks at the cluster, does at most one step and records it, so a worker that dies between
 * turns leaves nothing that a later turn, on any instance, does not pick up from the stored phase
 * and the cluster's state.
 */
@ApplicationScoped
public class RolloutEngine {

  /** Annotation keys of everything a release applies. */
  public static final String RUN_ID = "slipway.dev/run-id";

  public static final String COMMIT = "slipway.dev/commit";
  public static final String REVISION = "slipway.dev/revision";
  public static final String ROLLOUT = "slipway.dev/rollout-id";
  public static final String DIGEST = "slipway.dev/image-digest";

  private static final Logger LOG = Logger.getLogger(RolloutEngine.class);
  private static final Analysis DEFAULT_ANALYSIS =
      new Analysis(null, null, null, null, null, null, null);
  private static final String UNKNOWN = "(unknown)";
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
  private static final Duration FIRST_POLL = Duration.ofMillis(50);

  private final RolloutWorkRepository work;
  private final ReleaseRepository releases;
  private final ClusterRegistry clusters;
  private final PrometheusClient prometheus;
  private final PromotionPlanner promotions;
  private final DeployConfig.Rollouts settings;
  private final MeterRegistry metrics;

  public RolloutEngine(
      RolloutWorkRepository work,
      ReleaseRepository releases,
      ClusterRegistry clusters,
      PrometheusClient prometheus,
      PromotionPlanner promotions,
      DeployConfig config,
      MeterRegistry metrics) {
    this.work = work;
    this.releases = releases;
    this.clusters = clusters;
    this.prometheus = prometheus;
    this.promotions = promotions;
    this.settings = config.rollouts();
    this.metrics = metrics;
  }

  /**
   * One turn of rollout {@code id} for the worker {@code owner}.
   *
   * @param claimed whether {@code owner} just claimed it (a running one was then left by another
   *     worker, whose lease expired: noted in its log)
   * @return when to take the next turn; empty when the rollout is finished or not this worker's
   * @throws RolloutWorkRepository.LeaseLostException when another instance took the rollout over
   * @throws StoreUnavailableException when the database could not be used; try again later
   */
  public Optional<Duration> turn(String id, String owner, boolean claimed) {
    RolloutWorkRepository.Stored stored = work.load(id).orElse(null);
    if (stored == null
        || !owner.equals(stored.leaseOwner())
        || stored.state().status().finished()) {
      return Optional.empty();
    }
    RolloutState rollout = stored.state();
    if (claimed && rollout.status() == RolloutStatus.RUNNING) {
      String message =
          "resumed by %s in phase %s, step %d, from the stored progress and the cluster's state"
              .formatted(owner, rollout.progress().phase(), rollout.progress().step() + 1);
      work.note(id, owner, message);
      LOG.infof("run %s: rollout %s %s", rollout.runId(), id, message);
    }
    Settled settled = null;
    Step step;
    try {
      if (rollout.progress().phase() == RolloutPhase.QUEUED) {
        Resolution resolution = resolve(rollout);
        if (resolution.refusal() != null) {
          step = resolution.refusal();
        } else {
          settled = resolution.settled();
          step = start(rollout, settled);
        }
      } else {
        step = advance(rollout);
      }
    } catch (ClusterUnreachableException e) {
      step = unreachable(rollout, settled, e);
    } catch (ClusterRefusedException e) {
      step =
          settled != null
              ? finishEarly(settled, RolloutStatus.FAILED, e.getMessage(), null, null, false)
              : failed(rollout, e.getMessage());
    }
    return persist(rollout, owner, step);
  }

  // --- starting -------------------------------------------------------------------------------

  /** What a queued rollout deploys, worked out from the request and the release history. */
  private record Resolution(Settled settled, Step refusal) {}

  /**
   * What a rollout settled on before touching the cluster.
   *
   * @param start what the row records at start
   * @param cluster the environment's cluster
   * @param restore the last successful revision, if any
   */
  private record Settled(RolloutWorkRepository.Start start, Cluster cluster, Revision restore) {}

  private Resolution resolve(RolloutState r) {
    RunContext run =
        r.run() != null
            ? r.run()
            : await(releases.runContext(r.application(), r.imageDigest())).orElse(null);
    EnvironmentSpec spec;
    Strategy strategy;
    if (r.reason() == DeployRequested.Reason.ROLLBACK) {
      if (r.targetRevision() == null) {
        return refuse(r, run, "a ROLLBACK request must name the revision to restore");
      }
      ReleaseRepository.Found found =
          await(releases.revision(r.application(), r.environment(), r.targetRevision()))
              .orElse(null);
      if (found == null) {
        return refuse(
            r,
            run,
            "revision %d of %s in %s does not exist"
                .formatted(r.targetRevision(), r.application(), r.environment()));
      }
      if (!found.revision().imageDigest().equals(r.imageDigest())) {
        return refuse(
            r,
            run,
            "revision %d is %s, not the requested %s"
                .formatted(r.targetRevision(), found.revision().imageDigest(), r.imageDigest()));
      }
      spec = found.revision().spec();
      run = found.revision().run() != null ? found.revision().run() : run;
      // Going back to what served before is not canaried.
      strategy = Strategy.ROLLING;
    } else {
      spec = run == null ? null : run.pipeline().environment(r.environment()).orElse(null);
      if (spec == null) {
        spec = await(releases.latestSpec(r.application(), r.environment())).orElse(null);
      }
      if (spec == null) {
        return refuse(
            r,
            run,
            "environment %s is not in the run's pipeline and no earlier rollout of %s recorded its settings"
                .formatted(r.environment(), r.application()));
      }
      strategy = spec.strategy();
    }
    if (!ImagePin.isDigest(r.imageDigest())) {
      return refuse(r, run, "'" + r.imageDigest() + "' is not a content digest (sha256:...)");
    }
    for (int weight : spec.canarySteps()) {
      if (weight < 1 || weight > 100) {
        return refuse(r, run, "canary step weight " + weight + " is not between 1 and 100");
      }
    }
    RolloutWorkRepository.Start start =
        new RolloutWorkRepository.Start(
            r.application(),
            r.environment(),
            spec.cluster(),
            spec.namespace(),
            strategy,
            spec,
            run,
            null,
            null);
    Cluster cluster = clusters.find(spec.cluster()).orElse(null);
    if (cluster == null) {
      return new Resolution(
          null,
          finishEarly(
              new Settled(start, null, null),
              RolloutStatus.FAILED,
              "environment %s names cluster '%s', which is not registered in deploy-service (registered: %s); nothing was applied"
                  .formatted(r.environment(), spec.cluster(), String.join(", ", clusters.names())),
              null,
              null,
              false));
    }
    Revision restore = await(releases.lastSucceeded(r.application(), r.environment())).orElse(null);
    return new Resolution(new Settled(start, cluster, restore), null);
  }

  private Resolution refuse(RolloutState r, RunContext run, String reason) {
    RolloutWorkRepository.Start start =
        new RolloutWorkRepository.Start(
            r.application(), r.environment(), null, null, null, null, run, null, null);
    return new Resolution(
        null,
        finishEarly(
            new Settled(start, null, null),
            RolloutStatus.FAILED,
            reason + "; nothing was applied",
            null,
            null,
            false));
  }

  private Step start(RolloutState r, Settled settled) {
    RolloutWorkRepository.Start start = settled.start();
    EnvironmentSpec spec = start.spec();
    Revision restore = settled.restore();
    boolean promote = r.reason() != DeployRequested.Reason.ROLLBACK;
    if (restore != null
        && restore.imageDigest().equals(r.imageDigest())
        && restore.spec().equals(spec)
        && alreadyServes(workload(settled.cluster(), spec.namespace(), r), r.pinnedImage(), spec)) {
      return finishEarly(
          settled,
          RolloutStatus.SUCCEEDED,
          "%s already serves %s as revision %d; nothing changed"
              .formatted(r.imageDigest(), r.environment(), restore.revision()),
          restore.revision(),
          r.imageDigest(),
          promote);
    }
    boolean canary =
        start.strategy() == Strategy.CANARY && !spec.canarySteps().isEmpty() && restore != null;
    OffsetDateTime now = now();
    Progress progress =
        Progress.queued().enter(canary ? RolloutPhase.CANARY : RolloutPhase.PROGRESSING, 0, now);
    String how =
        canary
            ? "canary through " + spec.canarySteps() + "%"
            : start.strategy() == Strategy.CANARY
                ? "rolling (first release: no stable version to canary against)"
                : "rolling";
    String message =
        "started %s of %s to %s/%s on cluster %s, %s%s"
            .formatted(
                r.reason(),
                r.pinnedImage(),
                r.environment(),
                spec.namespace(),
                spec.cluster(),
                how,
                restore == null
                    ? "; no earlier release"
                    : "; revision " + restore.revision() + " serves now");
    return new Step.Start(
        new RolloutWorkRepository.Start(
            start.application(),
            start.environment(),
            start.cluster(),
            start.namespace(),
            start.strategy(),
            spec,
            start.run(),
            restore == null ? null : restore.revision(),
            message),
        progress,
        Duration.ZERO);
  }

  private boolean alreadyServes(ClusterWorkload cluster, String image, EnvironmentSpec spec) {
    int replicas = spec.deployment().replicas();
    var stable = cluster.deployment(Workload.Track.STABLE);
    if (stable == null
        || cluster.deployment(Workload.Track.CANARY) != null
        || stable.getSpec().getTemplate().getSpec().getContainers().isEmpty()
        || !image.equals(
            stable.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())) {
      return false;
    }
    return cluster.judge(Workload.Track.STABLE, image, replicas).state()
        == DeploymentHealth.State.COMPLETE;
  }

  // --- the phases -----------------------------------------------------------------------------

  private Step advance(RolloutState r) {
    return switch (r.progress().phase()) {
      case PROGRESSING -> progressing(r);
      case CANARY -> canary(r);
      case PROMOTING -> promoting(r);
      case ROLLING_BACK -> rollingBack(r);
      case CLEANING_UP -> cleaningUp(r);
      case QUEUED, DONE ->
          throw new IllegalStateException("rollout " + r.id() + " is " + r.progress().phase());
    };
  }

  private Step progressing(RolloutState r) {
    Progress p = r.progress();
    ClusterWorkload cluster = workload(r);
    DeploymentSettings deployment = r.spec().deployment();
    int replicas = deployment.replicas();
    if (!p.applied()) {
      cluster.ensureNamespace();
      cluster.applyServices(deployment.port(), r.routed());
      // Nothing half-way: a canary an aborted rollout may have left does not survive this one.
      cluster.delete(Workload.Track.CANARY);
      cluster.apply(stable(r, replicas));
      if (r.routed()) {
        cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
      }
      return new Step.Continue(
          p.markApplied(),
          "applied Deployment %s: %s, %d replicas"
              .formatted(r.application(), r.pinnedImage(), replicas),
          poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judge(Workload.Track.STABLE, r.pinnedImage(), replicas);
    return switch (verdict.state()) {
      case COMPLETE ->
          new Step.Finish(
              RolloutStatus.SUCCEEDED,
              (r.reason() == DeployRequested.Reason.ROLLBACK
                      ? "restored revision %d as revision %d: "
                          .formatted(r.targetRevision(), r.revision())
                      : "rolled out revision %d: ".formatted(r.revision()))
                  + verdict.detail(),
              r.revision(),
              r.imageDigest(),
              r.reason() != DeployRequested.Reason.ROLLBACK);
      case FAILED -> failed(r, "rolling update: " + explain(cluster, verdict));
      case PROGRESSING ->
          timedOut(r)
              ? failed(
                  r,
                  "rolling update did not complete within %ds: %s"
                      .formatted(deployment.timeoutSeconds(), verdict.detail()))
              : Step.wait(poll(r));
    };
  }

  private Step canary(RolloutState r) {
    Progress p = r.progress();
    List<Integer> weights = r.spec().canarySteps();
    int weight = weights.get(p.step());
    DeploymentSettings deployment = r.spec().deployment();
    CanaryPlan.Step plan = CanaryPlan.step(deployment.replicas(), weight, r.routed());
    String label = "canary step %d/%d (%d%%)".formatted(p.step() + 1, weights.size(), weight);
    ClusterWorkload cluster = workload(r);
    if (!p.applied()) {
      if (p.step() == 0) {
        cluster.ensureNamespace();
        cluster.applyServices(deployment.port(), r.routed());
      }
      cluster.apply(canaryWorkload(r, plan.canaryReplicas()));
      Revision restore = restore(r);
      cluster.apply(stable(restore, r, plan.stableReplicas()));
      if (r.routed()) {
        cluster.routeWeights(deployment.httpRoute(), deployment.port(), weight);
      }
      return new Step.Continue(
          p.markApplied(),
          "%s: canary %d pods, stable %d pods, %s"
              .formatted(
                  label,
                  plan.canaryReplicas(),
                  plan.stableReplicas(),
                  r.routed()
                      ? "HTTPRoute %s weights %d/%d"
                          .formatted(deployment.httpRoute(), weight, 100 - weight)
                      : "traffic by replica ratio (%d%%)".formatted(plan.replicaSharePercent())),
          poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judge(Workload.Track.CANARY, r.pinnedImage(), plan.canaryReplicas());
    OffsetDateTime now = now();
    Analysis analysis = analysis(r.spec());
    Duration interval = Duration.ofSeconds(analysis.intervalSeconds());
    if (p.readyAt() == null) {
      return switch (verdict.state()) {
        case COMPLETE ->
            new Step.Continue(
                p.markReady(now), label + ": canary ready (" + verdict.detail() + ")", interval);
        case FAILED -> failed(r, label + ": " + explain(cluster, verdict));
        case PROGRESSING ->
            timedOut(r)
                ? failed(
                    r,
                    "%s: canary not ready within %ds: %s"
                        .formatted(label, deployment.timeoutSeconds(), verdict.detail()))
                : Step.wait(poll(r));
      };
    }
    OffsetDateTime due = p.readyAt().plus(interval.multipliedBy(p.samples() + 1L));
    if (now.isBefore(due)) {
      return Step.wait(Duration.between(now, due));
    }
    if (verdict.state() == DeploymentHealth.State.FAILED) {
      return failed(r, label + ": " + explain(cluster, verdict));
    }
    if (verdict.state() != DeploymentHealth.State.COMPLETE) {
      return failed(r, label + ": canary no longer ready (" + verdict.detail() + ")");
    }
    if (verdict.restarts() > analysis.maxRestarts()) {
      return failed(
          r,
          "%s: canary containers restarted %d times (limit %d)"
              .formatted(label, verdict.restarts(), analysis.maxRestarts()));
    }
    Sample sample = sample(r, analysis);
    Progress next = p.sampled(!sample.good());
    if (next.sampleFailures() > analysis.failureLimit()) {
      return failed(
          r,
          "%s: analysis failed: %s (%d of %d samples failed, limit %d)"
              .formatted(
                  label,
                  sample.note(),
                  next.sampleFailures(),
                  next.samples(),
                  analysis.failureLimit()));
    }
    if (next.samples() < analysis.samples()) {
      return new Step.Continue(
          next, sample.good() ? null : label + ": sample failed: " + sample.note(), interval);
    }
    String passed =
        "%s: analysis passed (%d samples%s%s)"
            .formatted(
                label,
                next.samples(),
                next.sampleFailures() > 0
                    ? ", " + next.sampleFailures() + " failed within the limit"
                    : "",
                sample.note() == null ? "" : "; last: " + sample.note());
    return p.step() + 1 < weights.size()
        ? new Step.Continue(
            next.enter(RolloutPhase.CANARY, p.step() + 1, now), passed, Duration.ZERO)
        : new Step.Continue(
            next.enter(RolloutPhase.PROMOTING, p.step(), now), passed, Duration.ZERO);
  }

  private Step promoting(RolloutState r) {
    Progress p = r.progress();
    DeploymentSettings deployment = r.spec().deployment();
    ClusterWorkload cluster = workload(r);
    if (!p.applied()) {
      cluster.apply(stable(r, deployment.replicas()));
      return new Step.Continue(
          p.markApplied(),
          "promoting: stable Deployment %s takes %s".formatted(r.application(), r.pinnedImage()),
          poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judge(Workload.Track.STABLE, r.pinnedImage(), deployment.replicas());
    return switch (verdict.state()) {
      case COMPLETE -> {
        if (r.routed()) {
          cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
        }
        cluster.delete(Workload.Track.CANARY);
        yield new Step.Finish(
            RolloutStatus.SUCCEEDED,
            "canary passed %d steps %s; revision %d promoted to stable: %s"
                .formatted(
                    r.spec().canarySteps().size(),
                    r.spec().canarySteps().stream()
                        .map(w -> w + "%")
                        .collect(Collectors.joining(", ", "(", ")")),
                    r.revision(),
                    verdict.detail()),
            r.revision(),
            r.imageDigest(),
            true);
      }
      case FAILED -> failed(r, "promotion: " + explain(cluster, verdict));
      case PROGRESSING ->
          timedOut(r)
              ? failed(
                  r,
                  "promotion did not complete within %ds: %s"
                      .formatted(deployment.timeoutSeconds(), verdict.detail()))
              : Step.wait(poll(r));
    };
  }

  private Step rollingBack(RolloutState r) {
    Progress p = r.progress();
    Revision target = restore(r);
    int replicas = target.spec().deployment().replicas();
    ClusterWorkload cluster = workload(r);
    String leftRunning =
        "left running: Deployment %s pinned to revision %d (%s)"
            .formatted(r.application(), target.revision(), target.imageDigest());
    if (!p.applied()) {
      cluster.delete(Workload.Track.CANARY);
      cluster.apply(stable(target, r, replicas));
      DeploymentSettings deployment = r.spec().deployment();
      if (r.routed()) {
        cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
      }
      return new Step.Continue(
          p.markApplied(),
          "rolling back to revision %d (%s)".formatted(target.revision(), target.pinnedImage()),
          poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judge(Workload.Track.STABLE, target.pinnedImage(), replicas);
    return switch (verdict.state()) {
      case COMPLETE ->
          new Step.Finish(
              RolloutStatus.ROLLED_BACK,
              "%s; rolled back to revision %d (%s), which serves again"
                  .formatted(p.failure(), target.revision(), target.imageDigest()),
              target.revision(),
              target.imageDigest(),
              false);
      case FAILED ->
          new Step.Finish(
              RolloutStatus.FAILED,
              "%s; restoring revision %d failed: %s; %s"
                  .formatted(
                      p.failure(), target.revision(), explain(cluster, verdict), leftRunning),
              target.revision(),
              target.imageDigest(),
              false);
      case PROGRESSING ->
          timedOut(r)
              ? new Step.Finish(
                  RolloutStatus.FAILED,
                  "%s; restoring revision %d did not complete within %ds (%s); %s"
                      .formatted(
                          p.failure(),
                          target.revision(),
                          r.spec().deployment().timeoutSeconds(),
                          verdict.detail(),
                          leftRunning),
                  target.revision(),
                  target.imageDigest(),
                  false)
              : Step.wait(poll(r));
    };
  }

  private Step cleaningUp(RolloutState r) {
    ClusterWorkload cluster = workload(r);
    boolean canary = cluster.delete(Workload.Track.CANARY);
    boolean stable = cluster.delete(Workload.Track.STABLE);
    List<String> removed = new ArrayList<>();
    if (stable) {
      removed.add("Deployment " + r.application());
    }
    if (canary) {
      removed.add("Deployment " + Workload.Track.CANARY.deploymentName(r.application()));
    }
    return new Step.Finish(
        RolloutStatus.FAILED,
        "%s; no earlier successful release of %s in %s to restore: %s; nothing of %s is left running in namespace %s (Service %s kept)"
            .formatted(
                r.progress().failure(),
                r.application(),
                r.environment(),
                removed.isEmpty()
                    ? "nothing to remove"
                    : "removed " + String.join(" and ", removed),
                r.application(),
                r.namespace(),
                r.application()),
        null,
        null,
        false);
  }

  // --- failures -------------------------------------------------------------------------------

  /** A check failed: roll back when something succeeded before, else clean up. */
  private Step failed(RolloutState r, String reason) {
    Progress p = r.progress();
    return switch (p.phase()) {
      case QUEUED, DONE -> new Step.Finish(RolloutStatus.FAILED, reason, null, null, false);
      case ROLLING_BACK ->
          new Step.Finish(
              RolloutStatus.FAILED,
              "%s; restoring revision %d failed: %s"
                  .formatted(p.failure(), r.restoreRevision(), reason),
              r.restoreRevision(),
              null,
              false);
      case CLEANING_UP ->
          new Step.Finish(
              RolloutStatus.FAILED,
              "%s; removing what it applied failed: %s; what runs in %s is unknown"
                  .formatted(p.failure(), reason, r.namespace()),
              null,
              null,
              false);
      default ->
          r.restoreRevision() != null
              ? new Step.Continue(
                  p.failing(reason, RolloutPhase.ROLLING_BACK, now()),
                  "failed: %s; rolling back to revision %d".formatted(reason, r.restoreRevision()),
                  Duration.ZERO)
              : new Step.Continue(
                  p.failing(reason, RolloutPhase.CLEANING_UP, now()),
                  "failed: %s; no earlier release to roll back to".formatted(reason),
                  Duration.ZERO);
    };
  }

  private Step unreachable(RolloutState r, Settled settled, ClusterUnreachableException e) {
    Progress p = r.progress();
    int attempts = p.clusterFailures() + 1;
    if (attempts < settings.clusterAttempts()) {
      Duration delay = settings.clusterRetryDelay().multipliedBy(1L << Math.min(attempts - 1, 10));
      return new Step.Continue(
          p.clusterFailed(),
          "cluster unreachable (attempt %d of %d): %s"
              .formatted(attempts, settings.clusterAttempts(), e.getMessage()),
          delay.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay);
    }
    boolean nothingApplied =
        p.phase() == RolloutPhase.QUEUED
            || !p.applied()
                && (p.phase() == RolloutPhase.PROGRESSING
                    || p.phase() == RolloutPhase.CANARY && p.step() == 0);
    String reason =
        "%s; gave up after %d attempts; %s"
            .formatted(
                e.getMessage(),
                attempts,
                nothingApplied
                    ? "nothing was applied"
                        + (r.restoreRevision() == null
                            ? ""
                            : "; revision " + r.restoreRevision() + " served when it started")
                    : "the rollout was in phase "
                        + p.phase()
                        + ", so what runs in namespace "
                        + r.namespace()
                        + " is unknown");
    if (settled != null) {
      return finishEarly(settled, RolloutStatus.FAILED, reason, null, null, false);
    }
    if (p.phase() == RolloutPhase.QUEUED) {
      return refuse(r, r.run(), e.getMessage() + "; gave up after " + attempts + " attempts")
          .refusal();
    }
    return new Step.Finish(RolloutStatus.FAILED, reason, null, null, false);
  }

  private Step finishEarly(
      Settled settled,
      RolloutStatus status,
      String reason,
      Long revision,
      String servingDigest,
      boolean promote) {
    return new Step.Finish(status, reason, revision, servingDigest, promote, settled.start());
  }

  // --- persisting a step ----------------------------------------------------------------------

  private Optional<Duration> persist(RolloutState r, String owner, Step step) {
    Duration lease = settings.lease();
    if (step instanceof Step.Start start) {
      long revision = work.start(r.id(), owner, start.start(), start.progress(), lease);
      LOG.infof(
          "run %s: rollout %s of %s to %s is revision %d: %s",
          r.runId(), r.id(), r.application(), r.environment(), revision, start.start().message());
      return Optional.of(start.after());
    }
    if (step instanceof Step.Continue next) {
      if (next.progress() != null) {
        work.save(r.id(), owner, next.progress(), next.message(), lease);
        if (next.message() != null) {
          LOG.infof(
              "run %s: rollout %s of %s to %s: %s",
              r.runId(), r.id(), r.application(), r.environment(), next.message());
        }
      } else if (r.progress().clusterFailures() > 0) {
        work.save(r.id(), owner, r.progress().clusterAnswered(), "cluster answers again", lease);
      }
      return Optional.of(next.after());
    }
    finish(r, owner, (Step.Finish) step);
    return Optional.empty();
  }

  private void finish(RolloutState r, String owner, Step.Finish finish) {
    RolloutWorkRepository.Start early = finish.early();
    String cluster = early != null ? early.cluster() : r.cluster();
    String namespace = early != null ? early.namespace() : r.namespace();
    Strategy strategy = early != null ? early.strategy() : r.strategy();
    RunContext run = early != null && early.run() != null ? early.run() : r.run();
    OffsetDateTime now = now();
    Long durationMs =
        r.startedAt() == null ? null : Duration.between(r.startedAt(), now).toMillis();
    DeployDone done =
        new DeployDone(
            r.environment(),
            cluster == null ? UNKNOWN : cluster,
            namespace == null ? UNKNOWN : namespace,
            switch (finish.status()) {
              case SUCCEEDED -> DeployDone.Status.SUCCEEDED;
              case ROLLED_BACK -> DeployDone.Status.ROLLED_BACK;
              default -> DeployDone.Status.FAILED;
            },
            finish.revision() == null ? 0 : finish.revision(),
            finish.reason(),
            r.image(),
            r.imageDigest(),
            finish.servingDigest(),
            strategy,
            r.reason(),
            durationMs);
    Envelope<DeployDone> event =
        new Envelope<>(
            Envelope.derivedId("deploy.done", r.id()),
            PromotionPlanner.SOURCE,
            EventType.DEPLOY_DONE.ceType(),
            now,
            r.application(),
            r.runId(),
            r.id(),
            r.commitSha(),
            done);
    PromotionPlanner.Plan plan =
        finish.status() == RolloutStatus.SUCCEEDED && finish.promote()
            ? promotions.plan(r.id(), r.image(), r.imageDigest(), run, event)
            : new PromotionPlanner.Plan(List.of(), Optional.empty());
    List<Envelope<?>> events = new ArrayList<>();
    events.add(event);
    events.addAll(plan.events());
    work.finish(
        r.id(),
        owner,
        new RolloutWorkRepository.Finish(
            finish.status(), finish.reason(), finish.servingDigest(), cluster, namespace, strategy),
        events,
        plan.approval());
    metrics
        .counter(
            "slipway.rollouts",
            "status",
            finish.status().name(),
            "strategy",
            strategy == null ? "none" : strategy.name())
        .increment();
    if (durationMs != null) {
      metrics
          .timer("slipway.rollout.duration", "status", finish.status().name())
          .record(Duration.ofMillis(durationMs));
    }
    LOG.infof(
        "run %s: rollout %s of %s to %s %s: %s%s",
        r.runId(),
        r.id(),
        r.application(),
        r.environment(),
        finish.status(),
        finish.reason(),
        plan.approval().isPresent()
            ? "; approval "
                + plan.approval().get().id()
                + " opened for "
                + plan.approval().get().environment()
            : plan.events().isEmpty() ? "" : "; promotion to the next environment requested");
  }

  // --- helpers --------------------------------------------------------------------------------

  /** One analysis sample: the metric's verdict (good when there is no query). */
  private record Sample(boolean good, String note) {}

  private Sample sample(RolloutState r, Analysis analysis) {
    if (analysis.prometheusQuery() == null) {
      return new Sample(true, null);
    }
    String query = render(analysis.prometheusQuery(), r);
    Cluster cluster = clusters.find(r.cluster()).orElseThrow();
    String url = cluster.prometheusUrl().orElse(null);
    if (url == null) {
      return new Sample(false, "no Prometheus is configured for cluster " + r.cluster());
    }
    try {
      double value = prometheus.query(url, query);
      boolean good =
          analysis.comparison() == Analysis.Comparison.BELOW
              ? value < analysis.threshold()
              : value > analysis.threshold();
      return new Sample(
          good,
          "%s = %s, expected %s %s"
              .formatted(
                  query,
                  value,
                  analysis.comparison().name().toLowerCase(java.util.Locale.ROOT),
                  analysis.threshold()));
    } catch (PrometheusClient.PrometheusException e) {
      return new Sample(false, query + ": " + e.getMessage());
    }
  }

  /** The query with {@code {{application}}}, {@code {{namespace}}} and the like filled in. */
  static String render(String query, RolloutState r) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("application", r.application());
    values.put("environment", r.environment());
    values.put("namespace", r.namespace());
    values.put("canary", Workload.Track.CANARY.deploymentName(r.application()));
    values.put("stable", r.application());
    values.put("digest", r.imageDigest());
    String rendered = query;
    for (Map.Entry<String, String> value : values.entrySet()) {
      rendered = rendered.replace("{{" + value.getKey() + "}}", value.getValue());
    }
    return rendered;
  }

  private String explain(ClusterWorkload cluster, DeploymentHealth.Verdict verdict) {
    return verdict.detail()
        + cluster.lastWarning(verdict.failingPod()).map(w -> " (last event: " + w + ")").orElse("");
  }

  /**
   * When to look at the cluster again: soon after a phase began (most rollouts of a healthy image
   * complete within moments), then less and less often, up to the poll interval: a quarter of the
   * time the phase has taken so far, at least {@link #FIRST_POLL}.
   */
  private Duration poll(RolloutState r) {
    Duration max = settings.pollInterval();
    Duration min = FIRST_POLL.compareTo(max) < 0 ? FIRST_POLL : max;
    OffsetDateTime since = r.progress().phaseSince();
    if (since == null) {
      return min;
    }
    Duration quarter = Duration.between(since, now()).dividedBy(4);
    return quarter.compareTo(min) < 0 ? min : quarter.compareTo(max) > 0 ? max : quarter;
  }

  private boolean timedOut(RolloutState r) {
    OffsetDateTime since = r.progress().phaseSince();
    return since != null
        && now().isAfter(since.plusSeconds(r.spec().deployment().timeoutSeconds()));
  }

  private Revision restore(RolloutState r) {
    if (r.restoreRevision() == null) {
      throw new IllegalStateException("rollout " + r.id() + " has no revision to restore");
    }
    return await(releases.revision(r.application(), r.environment(), r.restoreRevision()))
        .map(ReleaseRepository.Found::revision)
        .orElseThrow(
            () -> new IllegalStateException("revision " + r.restoreRevision() + " disappeared"));
  }

  private ClusterWorkload workload(RolloutState r) {
    Cluster cluster =
        clusters
            .find(r.cluster())
            .orElseThrow(
                () ->
                    new ClusterRefusedException(
                        "cluster " + r.cluster() + " is no longer registered", null));
    return workload(cluster, r.namespace(), r);
  }

  private static ClusterWorkload workload(Cluster cluster, String namespace, RolloutState r) {
    return new ClusterWorkload(cluster, namespace, r.application());
  }

  private static Workload stable(RolloutState r, int replicas) {
    return new Workload(
        r.application(),
        r.namespace(),
        Workload.Track.STABLE,
        r.pinnedImage(),
        r.spec().deployment(),
        replicas,
        annotations(r.runId(), r.commitSha(), r.revision(), r.id(), r.imageDigest()));
  }

  private static Workload canaryWorkload(RolloutState r, int replicas) {
    return new Workload(
        r.application(),
        r.namespace(),
        Workload.Track.CANARY,
        r.pinnedImage(),
        r.spec().deployment(),
        replicas,
        annotations(r.runId(), r.commitSha(), r.revision(), r.id(), r.imageDigest()));
  }

  /** The stable Deployment as revision {@code revision} had it, in {@code r}'s namespace. */
  private static Workload stable(Revision revision, RolloutState r, int replicas) {
    return new Workload(
        r.application(),
        r.namespace(),
        Workload.Track.STABLE,
        revision.pinnedImage(),
        revision.spec().deployment(),
        replicas,
        annotations(
            revision.runId(),
            revision.commitSha(),
            revision.revision(),
            revision.rolloutId(),
            revision.imageDigest()));
  }

  private static Map<String, String> annotations(
      String runId, String commit, Long revision, String rolloutId, String digest) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(RUN_ID, runId);
    if (commit != null) {
      annotations.put(COMMIT, commit);
    }
    if (revision != null) {
      annotations.put(REVISION, String.valueOf(revision));
    }
    annotations.put(ROLLOUT, rolloutId);
    annotations.put(DIGEST, digest);
    return annotations;
  }

  private static Analysis analysis(EnvironmentSpec spec) {
    return spec.deployment().analysis() == null ? DEFAULT_ANALYSIS : spec.deployment().analysis();
  }

  private <T> T await(Uni<T> query) {
    try {
      return query.await().atMost(settings.databaseTimeout());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(e);
    }
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}

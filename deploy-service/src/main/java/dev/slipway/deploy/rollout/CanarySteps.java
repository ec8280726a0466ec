package dev.slipway.deploy.rollout;

import dev.slipway.deploy.Progress;
import dev.slipway.deploy.RolloutPhase;
import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.deploy.client.PrometheusClient;
import dev.slipway.deploy.health.DeploymentHealth;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.EnvironmentSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The canary phases: at each step the canary and stable Deployments get their share of the pods
 * ({@link CanaryPlan}) and, with an HTTPRoute, of the traffic; once the canary is ready, the
 * analysis takes its samples (readiness, restarts, a Prometheus query); after the last step the
 * stable Deployment takes the digest and the canary goes (PROMOTING).
 */
@ApplicationScoped
class CanarySteps {

  private static final Analysis DEFAULT_ANALYSIS =
      new Analysis(null, null, null, null, null, null, null, null, null, null);

  private final ClusterRegistry clusters;
  private final PrometheusClient prometheus;
  private final RolloutSupport support;
  private final RollingSteps rolling;

  CanarySteps(
      ClusterRegistry clusters,
      PrometheusClient prometheus,
      RolloutSupport support,
      RollingSteps rolling) {
    this.clusters = clusters;
    this.prometheus = prometheus;
    this.support = support;
    this.rolling = rolling;
  }

  Step canary(RolloutState r, RolloutObjectsRepository.Objects o, HeldRollout held) {
    Progress p = r.progress();
    List<Integer> weights = r.spec().canarySteps();
    int weight = weights.get(p.step());
    DeploymentSettings deployment = r.spec().deployment();
    ClusterWorkload cluster = support.workload(r, held);
    ReleaseObjects.Release release = support.current(r, o);
    ReleaseObjects.Release stable = support.restored(r);
    Set<String> scaled = RolloutSupport.scaled(cluster, release);
    String primary = release.primaryName();
    boolean autoscaled = scaled.contains("Deployment/" + primary);
    int replicas =
        autoscaled ? cluster.replicasOf(primary, deployment.replicas()) : stableReplicas(release);
    // Routed traffic or an autoscaler that owns the stable replicas: the stable keeps them all.
    CanaryPlan.Step plan = CanaryPlan.step(replicas, weight, r.routed() || autoscaled);
    String label = "canary step %d/%d (%d%%)".formatted(p.step() + 1, weights.size(), weight);
    String canaryName = ReleaseObjects.canaryName(primary);
    if (!p.applied()) {
      List<ObjectRef> created = new java.util.ArrayList<>();
      if (p.step() == 0) {
        cluster.ensureNamespace();
        List<HasMetadata> supporting = ReleaseObjects.supporting(release, scaled, r.routed());
        cluster.checkScope(supporting, deployment.allowClusterResources());
        created.addAll(
            cluster.applyAll(
                supporting,
                r.application(),
                r.environment(),
                deployment.adopt(),
                refs -> support.objects().addCreated(held.lease(), refs)));
      }
      // The canary comes up first; the stable Deployment keeps its pods until it is ready.
      created.addAll(
          cluster.applyAll(
              List.of(ReleaseObjects.canary(release, plan.canaryReplicas())),
              r.application(),
              r.environment(),
              deployment.adopt(),
              refs -> support.objects().addCreated(held.lease(), refs)));
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
                      : autoscaled
                          ? "the stable Deployment's replicas left to its HorizontalPodAutoscaler"
                          : "traffic by replica ratio (%d%%); the stable Deployment scales down once the canary is ready"
                              .formatted(plan.replicaSharePercent())),
          support.poll(r));
    }
    OffsetDateTime now = RolloutSupport.now();
    DeploymentHealth.Verdict verdict =
        cluster.judge(
            new ObjectRef("apps/v1", "Deployment", r.namespace(), canaryName),
            now.toInstant(),
            support.pullGrace());
    Analysis analysis = analysis(r.spec());
    Duration interval = Duration.ofSeconds(analysis.intervalSeconds());
    if (p.readyAt() == null) {
      return switch (verdict.state()) {
        case COMPLETE -> {
          String scaledDown = "";
          if (!autoscaled && !r.routed()) {
            cluster.applyAll(
                List.of(ReleaseObjects.primary(stable, plan.stableReplicas(), scaled)),
                r.application(),
                r.environment(),
                true);
            scaledDown = "; stable scaled to %d pods".formatted(plan.stableReplicas());
          }
          yield new Step.Continue(
              p.markReady(now),
              label + ": canary ready (" + verdict.detail() + ")" + scaledDown,
              interval.plusSeconds(analysis.initialDelaySeconds()));
        }
        case FAILED -> support.failed(r, label + ": " + support.explain(cluster, verdict));
        case PROGRESSING ->
            support.timedOut(r)
                ? support.failed(
                    r,
                    "%s: canary not ready within %ds: %s"
                        .formatted(label, deployment.timeoutSeconds(), verdict.detail()))
                : Step.wait(support.poll(r));
      };
    }
    OffsetDateTime due =
        p.readyAt()
            .plusSeconds(analysis.initialDelaySeconds())
            .plus(interval.multipliedBy(p.samples() + 1L));
    if (now.isBefore(due)) {
      return Step.wait(Duration.between(now, due));
    }
    if (verdict.state() == DeploymentHealth.State.FAILED) {
      return support.failed(r, label + ": " + support.explain(cluster, verdict));
    }
    if (verdict.state() != DeploymentHealth.State.COMPLETE) {
      return support.failed(r, label + ": canary no longer ready (" + verdict.detail() + ")");
    }
    if (verdict.restarts() > analysis.maxRestarts()) {
      return support.failed(
          r,
          "%s: canary containers restarted %d times (limit %d)"
              .formatted(label, verdict.restarts(), analysis.maxRestarts()));
    }
    Sample sample = sample(r, analysis);
    if (sample.error()) {
      int errors = o.analysisErrors() + 1;
      support.objects().analysisErrors(held.lease(), errors);
      if (errors > analysis.consecutiveErrorLimit()) {
        support.objects().commandDone(held.lease(), now);
        return new Step.Continue(
            p,
            "%s: analysis inconclusive: %d queries in a row could not be evaluated (limit %d), last: %s; paused: resume, promote or abort it"
                .formatted(label, errors, analysis.consecutiveErrorLimit(), sample.note()),
            support.settings().pollInterval());
      }
      return new Step.Continue(
          p,
          "%s: analysis query could not be evaluated (%d in a row, limit %d): %s; not counted as a failure, trying again"
              .formatted(label, errors, analysis.consecutiveErrorLimit(), sample.note()),
          interval.isZero() ? Duration.ofSeconds(1) : interval);
    }
    if (o.analysisErrors() > 0) {
      support.objects().analysisErrors(held.lease(), 0);
    }
    Progress next = p.sampled(!sample.good());
    if (next.sampleFailures() > analysis.failureLimit()) {
      return support.failed(
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

  Step promoting(RolloutState r, RolloutObjectsRepository.Objects o, HeldRollout held) {
    Progress p = r.progress();
    DeploymentSettings deployment = r.spec().deployment();
    ClusterWorkload cluster = support.workload(r, held);
    ReleaseObjects.Release release = support.current(r, o);
    if (!p.applied()) {
      Set<String> scaled = RolloutSupport.scaled(cluster, release);
      List<HasMetadata> objects = ReleaseObjects.all(release, null, scaled, r.routed());
      cluster.applyAll(
          objects,
          r.application(),
          r.environment(),
          deployment.adopt(),
          refs -> support.objects().addCreated(held.lease(), refs));
      return new Step.Continue(
          p.markApplied(),
          "promoting: stable Deployment %s takes %s (the canary serves until it is ready)"
              .formatted(release.primaryName(), r.pinnedImage()),
          support.poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judgeAll(
            ReleaseObjects.refs(release, r.routed()),
            RolloutSupport.now().toInstant(),
            support.pullGrace());
    return switch (verdict.state()) {
      case COMPLETE -> {
        Step soaking = rolling.soak(r, verdict);
        if (soaking != null) {
          yield soaking;
        }
        if (r.routed()) {
          cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
        }
        cluster.delete(ReleaseObjects.canaryName(release.primaryName()));
        String pruned =
            RolloutSupport.prune(
                cluster,
                r,
                support.restored(r),
                release,
                "in revision %d, not in revision %d".formatted(r.restoreRevision(), r.revision()));
        yield new Step.Finish(
            RolloutStatus.SUCCEEDED,
            "canary passed %d steps %s; revision %d promoted to stable: %s%s"
                .formatted(
                    r.spec().canarySteps().size(),
                    r.spec().canarySteps().stream()
                        .map(w -> w + "%")
                        .collect(Collectors.joining(", ", "(", ")")),
                    r.revision(),
                    verdict.detail(),
                    pruned),
            r.revision(),
            r.imageDigest(),
            true);
      }
      case FAILED -> support.failed(r, "promotion: " + support.explain(cluster, verdict));
      case PROGRESSING ->
          support.timedOut(r)
              ? support.failed(
                  r,
                  "promotion did not complete within %ds: %s"
                      .formatted(deployment.timeoutSeconds(), verdict.detail()))
              : Step.wait(support.poll(r));
    };
  }

  /** The stable replicas of a release: the settings', or its primary Deployment's. */
  private static int stableReplicas(ReleaseObjects.Release release) {
    if (release.manifests() == null) {
      return release.settings().replicas();
    }
    var primary =
        (io.fabric8.kubernetes.api.model.apps.Deployment)
            ReleaseObjects.primary(release, null, Set.of());
    Integer replicas = primary.getSpec().getReplicas();
    return replicas == null || replicas < 1 ? 1 : replicas;
  }

  /**
   * One analysis sample: the metric's verdict (good when there is no query), or an error (the query
   * could not be evaluated), which is inconclusive, not a failure.
   */
  record Sample(boolean good, String note, boolean error) {

    Sample(boolean good, String note) {
      this(good, note, false);
    }
  }

  Sample sample(RolloutState r, Analysis analysis) {
    if (analysis.prometheusQuery() == null) {
      return new Sample(true, null);
    }
    String query = render(analysis.prometheusQuery(), r);
    Cluster cluster = clusters.find(r.cluster()).orElseThrow();
    String url =
        analysis.prometheusUrl() != null
            ? analysis.prometheusUrl()
            : cluster.prometheusUrl().orElse(null);
    if (url == null) {
      return new Sample(false, "no Prometheus is configured for cluster " + r.cluster(), true);
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
      return new Sample(false, query + ": " + e.getMessage(), true);
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

  static Analysis analysis(EnvironmentSpec spec) {
    return spec.deployment().analysis() == null ? DEFAULT_ANALYSIS : spec.deployment().analysis();
  }
}

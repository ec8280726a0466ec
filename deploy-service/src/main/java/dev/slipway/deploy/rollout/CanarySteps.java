package dev.slipway.deploy.rollout;

import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.deploy.client.PrometheusClient;
import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.EnvironmentSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
      new Analysis(null, null, null, null, null, null, null);

  private final ClusterRegistry clusters;
  private final PrometheusClient prometheus;
  private final RolloutSupport support;

  CanarySteps(ClusterRegistry clusters, PrometheusClient prometheus, RolloutSupport support) {
    this.clusters = clusters;
    this.prometheus = prometheus;
    this.support = support;
  }

  Step canary(RolloutState r) {
    Progress p = r.progress();
    List<Integer> weights = r.spec().canarySteps();
    int weight = weights.get(p.step());
    DeploymentSettings deployment = r.spec().deployment();
    CanaryPlan.Step plan = CanaryPlan.step(deployment.replicas(), weight, r.routed());
    String label = "canary step %d/%d (%d%%)".formatted(p.step() + 1, weights.size(), weight);
    ClusterWorkload cluster = support.workload(r);
    if (!p.applied()) {
      if (p.step() == 0) {
        cluster.ensureNamespace();
        cluster.applyServices(deployment.port(), r.routed());
      }
      cluster.apply(RolloutSupport.canaryWorkload(r, plan.canaryReplicas()));
      Revision restore = support.restore(r);
      cluster.apply(RolloutSupport.stable(restore, r, plan.stableReplicas()));
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
          support.poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judge(Workload.Track.CANARY, r.pinnedImage(), plan.canaryReplicas());
    OffsetDateTime now = RolloutSupport.now();
    Analysis analysis = analysis(r.spec());
    Duration interval = Duration.ofSeconds(analysis.intervalSeconds());
    if (p.readyAt() == null) {
      return switch (verdict.state()) {
        case COMPLETE ->
            new Step.Continue(
                p.markReady(now), label + ": canary ready (" + verdict.detail() + ")", interval);
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
    OffsetDateTime due = p.readyAt().plus(interval.multipliedBy(p.samples() + 1L));
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

  Step promoting(RolloutState r) {
    Progress p = r.progress();
    DeploymentSettings deployment = r.spec().deployment();
    ClusterWorkload cluster = support.workload(r);
    if (!p.applied()) {
      cluster.apply(RolloutSupport.stable(r, deployment.replicas()));
      return new Step.Continue(
          p.markApplied(),
          "promoting: stable Deployment %s takes %s".formatted(r.application(), r.pinnedImage()),
          support.poll(r));
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

  /** One analysis sample: the metric's verdict (good when there is no query). */
  record Sample(boolean good, String note) {}

  Sample sample(RolloutState r, Analysis analysis) {
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

  static Analysis analysis(EnvironmentSpec spec) {
    return spec.deployment().analysis() == null ? DEFAULT_ANALYSIS : spec.deployment().analysis();
  }
}

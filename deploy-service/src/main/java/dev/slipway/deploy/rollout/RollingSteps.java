package dev.slipway.deploy.rollout;

import dev.slipway.deploy.RolloutStatus;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.DeploymentSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The phases that replace a Deployment's pods in one go: a rolling update (PROGRESSING), a rollback
 * to the last successful revision (ROLLING_BACK), and removing what a first release that failed
 * applied (CLEANING_UP).
 */
@ApplicationScoped
class RollingSteps {

  private final RolloutSupport support;

  RollingSteps(RolloutSupport support) {
    this.support = support;
  }

  Step progressing(RolloutState r) {
    Progress p = r.progress();
    ClusterWorkload cluster = support.workload(r);
    DeploymentSettings deployment = r.spec().deployment();
    int replicas = deployment.replicas();
    if (!p.applied()) {
      cluster.ensureNamespace();
      cluster.applyServices(deployment.port(), r.routed());
      // Nothing half-way: a canary an aborted rollout may have left does not survive this one.
      cluster.delete(Workload.Track.CANARY);
      cluster.apply(RolloutSupport.stable(r, replicas));
      if (r.routed()) {
        cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
      }
      return new Step.Continue(
          p.markApplied(),
          "applied Deployment %s: %s, %d replicas"
              .formatted(r.application(), r.pinnedImage(), replicas),
          support.poll(r));
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
      case FAILED -> support.failed(r, "rolling update: " + support.explain(cluster, verdict));
      case PROGRESSING ->
          support.timedOut(r)
              ? support.failed(
                  r,
                  "rolling update did not complete within %ds: %s"
                      .formatted(deployment.timeoutSeconds(), verdict.detail()))
              : Step.wait(support.poll(r));
    };
  }

  Step rollingBack(RolloutState r) {
    Progress p = r.progress();
    Revision target = support.restore(r);
    int replicas = target.spec().deployment().replicas();
    ClusterWorkload cluster = support.workload(r);
    String leftRunning =
        "left running: Deployment %s pinned to revision %d (%s)"
            .formatted(r.application(), target.revision(), target.imageDigest());
    if (!p.applied()) {
      cluster.delete(Workload.Track.CANARY);
      cluster.apply(RolloutSupport.stable(target, r, replicas));
      DeploymentSettings deployment = r.spec().deployment();
      if (r.routed()) {
        cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
      }
      return new Step.Continue(
          p.markApplied(),
          "rolling back to revision %d (%s)".formatted(target.revision(), target.pinnedImage()),
          support.poll(r));
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
                      p.failure(),
                      target.revision(),
                      support.explain(cluster, verdict),
                      leftRunning),
              target.revision(),
              target.imageDigest(),
              false);
      case PROGRESSING ->
          support.timedOut(r)
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
              : Step.wait(support.poll(r));
    };
  }

  Step cleaningUp(RolloutState r) {
    ClusterWorkload cluster = support.workload(r);
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
}

package dev.slipway.deploy.rollout;

import dev.slipway.deploy.Progress;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.health.DeploymentHealth;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.DeploymentSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

/**
 * The phases that put a whole release in place in one go: a rolling update (PROGRESSING), a
 * rollback to the last successful revision (ROLLING_BACK), and removing what a first release that
 * failed created (CLEANING_UP). Objects go in with server-side apply in dependency order; the
 * release is healthy when every object is (kstatus rules); objects the previous revision held and
 * this one does not are pruned once it is.
 */
@ApplicationScoped
class RollingSteps {

  private final RolloutSupport support;

  RollingSteps(RolloutSupport support) {
    this.support = support;
  }

  Step progressing(RolloutState r, RolloutObjectsRepository.Objects o, HeldRollout held) {
    Progress p = r.progress();
    ClusterWorkload cluster = support.workload(r, held);
    DeploymentSettings deployment = r.spec().deployment();
    ReleaseObjects.Release release = support.current(r, o);
    if (!p.applied()) {
      cluster.ensureNamespace();
      Set<String> scaled = RolloutSupport.scaled(cluster, release);
      List<HasMetadata> objects = ReleaseObjects.all(release, null, scaled, r.routed());
      cluster.checkScope(objects, deployment.allowClusterResources());
      List<ObjectRef> created =
          cluster.applyAll(
              objects,
              r.application(),
              r.environment(),
              deployment.adopt(),
              refs -> support.objects().addCreated(held.lease(), refs));
      if (r.routed()) {
        cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
      }
      return new Step.Continue(
          p.markApplied(), applied(release, objects, created, scaled), support.poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judgeAll(
            ReleaseObjects.refs(release, r.routed()),
            RolloutSupport.now().toInstant(),
            support.pullGrace());
    return switch (verdict.state()) {
      case COMPLETE -> {
        Step soaking = soak(r, verdict);
        if (soaking != null) {
          yield soaking;
        }
        cluster.delete(ReleaseObjects.canaryName(release.primaryName()));
        String pruned =
            r.restoreRevision() == null
                ? ""
                : RolloutSupport.prune(
                    cluster,
                    r,
                    support.restored(r),
                    release,
                    "in revision %d, not in revision %d"
                        .formatted(r.restoreRevision(), r.revision()));
        yield new Step.Finish(
            RolloutStatus.SUCCEEDED,
            (r.reason() == DeployRequested.Reason.ROLLBACK
                    ? "restored revision %d as revision %d: "
                        .formatted(r.targetRevision(), r.revision())
                    : "rolled out revision %d: ".formatted(r.revision()))
                + verdict.detail()
                + pruned,
            r.revision(),
            r.imageDigest(),
            r.reason() != DeployRequested.Reason.ROLLBACK);
      }
      case FAILED ->
          support.failed(
              r,
              (p.readyAt() != null ? "during the soak time: " : "rolling update: ")
                  + support.explain(cluster, verdict));
      case PROGRESSING ->
          support.timedOut(r)
              ? support.failed(
                  r,
                  "rolling update did not complete within %ds: %s"
                      .formatted(deployment.timeoutSeconds(), verdict.detail()))
              : Step.wait(support.poll(r));
    };
  }

  /**
   * The soak time after a release became healthy: a crash meanwhile still fails it. Returns the
   * step to take while soaking, or null when the soak is over (or there is none).
   */
  Step soak(RolloutState r, DeploymentHealth.Verdict verdict) {
    int soakSeconds = r.spec().deployment().soakSeconds();
    if (soakSeconds <= 0) {
      return null;
    }
    Progress p = r.progress();
    OffsetDateTime now = RolloutSupport.now();
    if (p.readyAt() == null) {
      return new Step.Continue(
          p.markReady(now),
          "healthy (%s); soaking for %ds: a crash meanwhile still rolls back"
              .formatted(verdict.detail(), soakSeconds),
          Duration.ofMillis(
              Math.min(support.settings().pollInterval().toMillis(), soakSeconds * 1000L)));
    }
    OffsetDateTime until = p.readyAt().plusSeconds(soakSeconds);
    if (now.isBefore(until)) {
      Duration left = Duration.between(now, until);
      Duration poll = support.settings().pollInterval();
      return Step.wait(left.compareTo(poll) < 0 ? left : poll);
    }
    return null;
  }

  Step rollingBack(RolloutState r, RolloutObjectsRepository.Objects o, HeldRollout held) {
    Progress p = r.progress();
    Revision target = support.restore(r);
    ReleaseObjects.Release restored = support.restored(r);
    ClusterWorkload cluster = support.workload(r, held);
    String leftRunning =
        "left running: revision %d (%s) as far as it was restored"
            .formatted(target.revision(), target.imageDigest());
    if (!p.applied()) {
      Set<String> scaled = RolloutSupport.scaled(cluster, restored);
      List<HasMetadata> objects = ReleaseObjects.all(restored, null, scaled, r.routed());
      // Restoring objects Slipway applied before, which carry its labels (what the failed release
      // adopted too): the environment's own adopt setting holds, so a rollback after a release
      // refused for a foreign object never takes that object over either.
      DeploymentSettings deployment = r.spec().deployment();
      cluster.applyAll(objects, r.application(), r.environment(), deployment.adopt());
      if (r.routed()) {
        cluster.routeWeights(deployment.httpRoute(), deployment.port(), 0);
      }
      return new Step.Continue(
          p.markApplied(),
          "rolling back to revision %d (%s)".formatted(target.revision(), target.pinnedImage()),
          support.poll(r));
    }
    DeploymentHealth.Verdict verdict =
        cluster.judgeAll(
            ReleaseObjects.refs(restored, r.routed()),
            RolloutSupport.now().toInstant(),
            support.pullGrace());
    return switch (verdict.state()) {
      case COMPLETE -> {
        // The stable version serves again: only now does the canary go.
        cluster.delete(ReleaseObjects.canaryName(support.current(r, o).primaryName()));
        cluster.delete(ReleaseObjects.canaryName(restored.primaryName()));
        String pruned =
            RolloutSupport.prune(
                cluster,
                r,
                support.current(r, o),
                restored,
                "added by the failed revision " + r.revision());
        yield new Step.Finish(
            RolloutStatus.ROLLED_BACK,
            "%s; rolled back to revision %d (%s), which serves again%s"
                .formatted(p.failure(), target.revision(), target.imageDigest(), pruned),
            target.revision(),
            target.imageDigest(),
            false);
      }
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

  Step cleaningUp(RolloutState r, RolloutObjectsRepository.Objects o, HeldRollout held) {
    ClusterWorkload cluster = support.workload(r, held);
    String primary = support.current(r, o).primaryName();
    boolean canary = primary != null && cluster.delete(ReleaseObjects.canaryName(primary));
    List<String> removed = cluster.deleteOwned(o.created(), r.application(), r.environment());
    if (canary) {
      removed = new java.util.ArrayList<>(removed);
      removed.add("Deployment " + ReleaseObjects.canaryName(primary));
    }
    return new Step.Finish(
        RolloutStatus.FAILED,
        "%s; no earlier successful release of %s in %s to restore: %s; nothing of %s is left running in namespace %s"
            .formatted(
                r.progress().failure(),
                r.application(),
                r.environment(),
                removed.isEmpty()
                    ? "it had created nothing, so nothing was removed"
                    : "removed " + String.join(", ", removed) + " (created by this rollout)",
                r.application(),
                r.namespace()),
        null,
        null,
        false);
  }

  private static String applied(
      ReleaseObjects.Release release,
      List<HasMetadata> objects,
      List<ObjectRef> created,
      Set<String> scaled) {
    StringBuilder line = new StringBuilder("applied %d objects".formatted(objects.size()));
    if (!created.isEmpty()) {
      line.append(" (created ")
          .append(String.join(", ", created.stream().map(ObjectRef::toString).toList()))
          .append(')');
    }
    String primary = release.primaryName();
    for (HasMetadata object : objects) {
      if (object instanceof io.fabric8.kubernetes.api.model.apps.Deployment d
          && d.getMetadata().getName().equals(primary)) {
        line.append("; Deployment ")
            .append(primary)
            .append(": ")
            .append(release.pinnedImage())
            .append(", ")
            .append(
                scaled.contains("Deployment/" + primary)
                    ? "replicas left to its HorizontalPodAutoscaler"
                    : d.getSpec().getReplicas() + " replicas");
      }
    }
    return line.toString();
  }
}

package dev.slipway.deploy.rollout;

import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.ReleaseRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.StoreUnavailableException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the steps of a rollout share: the cluster and the revision a rollout works with, the
 * workloads it applies, when to look again, when a phase has timed out, and where a failed check
 * leads (a rollback when something served before, a clean-up when nothing did).
 */
@ApplicationScoped
class RolloutSupport {

  private static final Duration FIRST_POLL = Duration.ofMillis(50);

  private final ClusterRegistry clusters;
  private final ReleaseRepository releases;
  private final DeployConfig.Rollouts settings;

  RolloutSupport(ClusterRegistry clusters, ReleaseRepository releases, DeployConfig config) {
    this.clusters = clusters;
    this.releases = releases;
    this.settings = config.rollouts();
  }

  /** The rollout settings. */
  DeployConfig.Rollouts settings() {
    return settings;
  }

  /** A check failed: roll back when something succeeded before, else clean up. */
  Step failed(RolloutState r, String reason) {
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

  String explain(ClusterWorkload cluster, DeploymentHealth.Verdict verdict) {
    return verdict.detail()
        + cluster.lastWarning(verdict.failingPod()).map(w -> " (last event: " + w + ")").orElse("");
  }

  /**
   * When to look at the cluster again: soon after a phase began (most rollouts of a healthy image
   * complete within moments), then less and less often, up to the poll interval: a quarter of the
   * time the phase has taken so far, at least {@link #FIRST_POLL}.
   */
  Duration poll(RolloutState r) {
    Duration max = settings.pollInterval();
    Duration min = FIRST_POLL.compareTo(max) < 0 ? FIRST_POLL : max;
    OffsetDateTime since = r.progress().phaseSince();
    if (since == null) {
      return min;
    }
    Duration quarter = Duration.between(since, now()).dividedBy(4);
    return quarter.compareTo(min) < 0 ? min : quarter.compareTo(max) > 0 ? max : quarter;
  }

  boolean timedOut(RolloutState r) {
    OffsetDateTime since = r.progress().phaseSince();
    return since != null
        && now().isAfter(since.plusSeconds(r.spec().deployment().timeoutSeconds()));
  }

  Revision restore(RolloutState r) {
    if (r.restoreRevision() == null) {
      throw new IllegalStateException("rollout " + r.id() + " has no revision to restore");
    }
    return await(releases.revision(r.application(), r.environment(), r.restoreRevision()))
        .map(ReleaseRepository.Found::revision)
        .orElseThrow(
            () -> new IllegalStateException("revision " + r.restoreRevision() + " disappeared"));
  }

  ClusterWorkload workload(RolloutState r) {
    Cluster cluster =
        clusters
            .find(r.cluster())
            .orElseThrow(
                () ->
                    new ClusterRefusedException(
                        "cluster " + r.cluster() + " is no longer registered", null));
    return workload(cluster, r.namespace(), r);
  }

  static ClusterWorkload workload(Cluster cluster, String namespace, RolloutState r) {
    return new ClusterWorkload(cluster, namespace, r.application());
  }

  static Workload stable(RolloutState r, int replicas) {
    return new Workload(
        r.application(),
        r.namespace(),
        Workload.Track.STABLE,
        r.pinnedImage(),
        r.spec().deployment(),
        replicas,
        annotations(r.runId(), r.commitSha(), r.revision(), r.id(), r.imageDigest()));
  }

  static Workload canaryWorkload(RolloutState r, int replicas) {
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
  static Workload stable(Revision revision, RolloutState r, int replicas) {
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

  static Map<String, String> annotations(
      String runId, String commit, Long revision, String rolloutId, String digest) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(DeploymentFactory.RUN_ID, runId);
    if (commit != null) {
      annotations.put(DeploymentFactory.COMMIT, commit);
    }
    if (revision != null) {
      annotations.put(DeploymentFactory.REVISION, String.valueOf(revision));
    }
    annotations.put(DeploymentFactory.ROLLOUT, rolloutId);
    annotations.put(DeploymentFactory.DIGEST, digest);
    return annotations;
  }

  <T> T await(Uni<T> query) {
    try {
      return query.await().atMost(settings.databaseTimeout());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(e);
    }
  }

  static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}

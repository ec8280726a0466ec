package dev.slipway.deploy.rollout;

import dev.slipway.deploy.Progress;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.RolloutPhase;
import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.deploy.repository.ReleaseRepository;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.StoreUnavailableException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
  private final RolloutObjectsRepository objects;
  private final DeployConfig.Rollouts settings;

  RolloutSupport(
      ClusterRegistry clusters,
      ReleaseRepository releases,
      RolloutObjectsRepository objects,
      DeployConfig config) {
    this.clusters = clusters;
    this.releases = releases;
    this.objects = objects;
    this.settings = config.rollouts();
  }

  /** The objects repository: what rollouts apply and how operators steer them. */
  RolloutObjectsRepository objects() {
    return objects;
  }

  /** The release a rollout puts in place. */
  ReleaseObjects.Release current(RolloutState r, RolloutObjectsRepository.Objects o) {
    return new ReleaseObjects.Release(
        r.application(),
        r.environment(),
        r.namespace(),
        r.pinnedImage(),
        r.spec().deployment(),
        o.manifests(),
        annotations(r.runId(), r.commitSha(), r.revision(), r.id(), r.imageDigest()));
  }

  /** The release a rollback of {@code r} restores: the last successful revision, exactly. */
  ReleaseObjects.Release restored(RolloutState r) {
    Revision revision = restore(r);
    return new ReleaseObjects.Release(
        r.application(),
        r.environment(),
        r.namespace(),
        revision.pinnedImage(),
        revision.spec().deployment(),
        objects.manifestsOf(r.application(), r.environment(), revision.revision()),
        annotations(
            revision.runId(),
            revision.commitSha(),
            revision.revision(),
            revision.rolloutId(),
            revision.imageDigest()));
  }

  /** The workloads an autoscaler scales: live HPAs and those the release itself holds. */
  static Set<String> scaled(ClusterWorkload cluster, ReleaseObjects.Release release) {
    Set<String> scaled = new LinkedHashSet<>(cluster.autoscaled());
    if (release.manifests() != null) {
      for (var object : release.manifests().objects()) {
        if ("HorizontalPodAutoscaler".equals(object.getKind())) {
          Object spec = object.getAdditionalProperties().get("spec");
          Object target = spec instanceof Map<?, ?> m ? m.get("scaleTargetRef") : null;
          if (target instanceof Map<?, ?> ref) {
            scaled.add(ref.get("kind") + "/" + ref.get("name"));
          }
        }
      }
    }
    return scaled;
  }

  /**
   * Removes what {@code previous} held and {@code next} does not, when it is the application's;
   * returns a log fragment naming what went, or an empty string.
   */
  static String prune(
      ClusterWorkload cluster,
      RolloutState r,
      ReleaseObjects.Release previous,
      ReleaseObjects.Release next,
      String why) {
    if (previous == null) {
      return "";
    }
    Set<String> keep = new LinkedHashSet<>();
    for (ObjectRef ref : ReleaseObjects.refs(next, r.routed())) {
      keep.add(ref.kind() + "/" + ref.namespace() + "/" + ref.name());
    }
    List<ObjectRef> gone = new ArrayList<>();
    for (ObjectRef ref : ReleaseObjects.refs(previous, r.routed())) {
      if (!keep.contains(ref.kind() + "/" + ref.namespace() + "/" + ref.name())) {
        gone.add(ref);
      }
    }
    if (gone.isEmpty()) {
      return "";
    }
    List<String> done = cluster.deleteOwned(gone, r.application(), r.environment());
    return done.isEmpty() ? "" : "; pruned " + String.join(", ", done) + " (" + why + ")";
  }

  /** How long a pod may fail to pull its image. */
  Duration pullGrace() {
    return settings.pullErrorGrace();
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

  String explain(
      ClusterWorkload cluster, dev.slipway.deploy.health.DeploymentHealth.Verdict verdict) {
    return verdict.detail()
        + cluster.lastWarning(verdict.failingPod()).map(w -> " (last event: " + w + ")").orElse("");
  }

  /**
   * When to look at the cluster again: soon after a phase began (most rollouts of a healthy image
   * complete within moments), then less and less often, up to the poll interval: an eighth of the
   * time the phase has taken so far, at least {@link #FIRST_POLL}. A release that becomes available
   * is seen at most an eighth of its time late (with a quarter, a half-second rollout was seen up
   * to some 130 ms late); a slow one is looked at only every poll interval once it took 8 of them.
   */
  Duration poll(RolloutState r) {
    Duration max = settings.pollInterval();
    Duration min = FIRST_POLL.compareTo(max) < 0 ? FIRST_POLL : max;
    OffsetDateTime since = r.progress().phaseSince();
    if (since == null) {
      return min;
    }
    Duration eighth = Duration.between(since, now()).dividedBy(8);
    return eighth.compareTo(min) < 0 ? min : eighth.compareTo(max) > 0 ? max : eighth;
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

  /** The rollout's namespace, for as long as {@code held} may act on it. */
  ClusterWorkload workload(RolloutState r, HeldRollout held) {
    Cluster cluster =
        clusters
            .find(r.cluster())
            .orElseThrow(
                () ->
                    new ClusterRefusedException(
                        "cluster " + r.cluster() + " is no longer registered", null));
    return workload(cluster, r.namespace(), r, held);
  }

  static ClusterWorkload workload(
      Cluster cluster, String namespace, RolloutState r, HeldRollout held) {
    return new ClusterWorkload(cluster, namespace, r.application(), held::check);
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

package dev.slipway.deploy.rollout;

import dev.slipway.deploy.ImagePin;
import dev.slipway.deploy.Progress;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.RolloutPhase;
import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.deploy.manifest.ManifestFetcher;
import dev.slipway.deploy.manifest.ManifestSet;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.deploy.provenance.ProvenanceCheck;
import dev.slipway.deploy.repository.ReleaseRepository;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.verify.DeployVerifier;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.RenderedManifests;
import dev.slipway.events.RunContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * Starts a queued rollout: works out what it deploys (the run's pipeline, the settings an earlier
 * rollout recorded, or the revision a ROLLBACK names), where (the environment's cluster, which must
 * be registered), what a rollback would restore (the last successful revision), and whether there
 * is anything to do at all (the digest and settings may already serve), and whether it may at all
 * ({@link ProvenanceCheck}, then {@link DeployVerifier}). Only reads, but for taking the approval a
 * request names; the engine records the start.
 */
@ApplicationScoped
class RolloutStarter {

  private final ClusterRegistry clusters;
  private final ReleaseRepository releases;
  private final RolloutSupport support;
  private final ManifestFetcher fetcher;
  private final DeployVerifier verifier;
  private final ProvenanceCheck provenance;

  RolloutStarter(
      ClusterRegistry clusters,
      ReleaseRepository releases,
      RolloutSupport support,
      ManifestFetcher fetcher,
      DeployVerifier verifier,
      ProvenanceCheck provenance) {
    this.clusters = clusters;
    this.releases = releases;
    this.support = support;
    this.fetcher = fetcher;
    this.verifier = verifier;
    this.provenance = provenance;
  }

  /** What a queued rollout deploys, worked out from the request and the release history. */
  record Resolution(Settled settled, Step refusal) {}

  /**
   * What a rollout settled on before touching the cluster.
   *
   * @param start what the row records at start
   * @param cluster the environment's cluster
   * @param restore the last successful revision, if any
   */
  record Settled(RolloutWorkRepository.Start start, Cluster cluster, Revision restore) {}

  Resolution resolve(RolloutState r, HeldRollout held) {
    RunContext run =
        r.run() != null
            ? r.run()
            : support.await(releases.runContext(r.application(), r.imageDigest())).orElse(null);
    EnvironmentSpec spec;
    Strategy strategy;
    if (r.reason() == DeployRequested.Reason.ROLLBACK) {
      if (r.targetRevision() == null) {
        return refuse(r, run, "a ROLLBACK request must name the revision to restore");
      }
      ReleaseRepository.Found found =
          support
              .await(releases.revision(r.application(), r.environment(), r.targetRevision()))
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
        spec = support.await(releases.latestSpec(r.application(), r.environment())).orElse(null);
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
    Optional<String> unverified =
        provenance.refusal(
            r.id(), r.application(), r.image(), r.imageDigest(), r.commitSha(), r.reason(), run);
    if (unverified.isEmpty()) {
      unverified =
          verifier.refusal(
              r.id(), r.application(), r.environment(), r.imageDigest(), r.reason(), run);
    }
    if (unverified.isPresent()) {
      return refuse(r, run, "refused: " + unverified.get());
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
    String manifestsRefusal = manifests(r, spec, strategy, held);
    if (manifestsRefusal != null) {
      return refuse(r, run, manifestsRefusal);
    }
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
    Revision restore =
        support.await(releases.lastSucceeded(r.application(), r.environment())).orElse(null);
    return new Resolution(new Settled(start, cluster, restore), null);
  }

  /**
   * Settles the objects the rollout applies: a ROLLBACK restores the named revision's exactly; any
   * other request applies the rendered manifests it names (or that an earlier request recorded for
   * the same image), fetched by digest; without any, the generated Deployment and Service. Returns
   * why the rollout cannot start, or null.
   */
  private String manifests(
      RolloutState r, EnvironmentSpec spec, Strategy strategy, HeldRollout held) {
    RolloutObjectsRepository objects = support.objects();
    RolloutObjectsRepository.Objects stored = objects.load(r.id());
    RenderedManifests ref = stored.manifestsRef();
    ManifestSet set;
    if (r.reason() == DeployRequested.Reason.ROLLBACK) {
      set = objects.manifestsOf(r.application(), r.environment(), r.targetRevision());
    } else {
      if (ref == null) {
        ref = objects.manifestsRefFor(r.application(), r.imageDigest()).orElse(null);
      }
      if (ref == null) {
        set = null;
      } else {
        try {
          set = fetcher.fetch(ref, r.environment());
        } catch (ManifestFetcher.ManifestException e) {
          return "the application's manifests cannot be used: " + e.getMessage();
        }
        if (set.objects().isEmpty()) {
          return "the manifests rendered for %s (%s) hold no object"
              .formatted(r.environment(), ref.pinned());
        }
      }
    }
    if (set != null) {
      // build-service renders into the environment's namespace; an artifact naming another one was
      // not made by it for this environment.
      for (var object : set.objects()) {
        String namespace = object.getMetadata().getNamespace();
        if (namespace != null && !namespace.isBlank() && !namespace.equals(spec.namespace())) {
          return "%s names namespace %s; environment %s deploys only into %s"
              .formatted(ObjectRef.of(object), namespace, r.environment(), spec.namespace());
        }
      }
    }
    if (set != null && strategy == Strategy.CANARY) {
      if (set.primary(r.application(), ManifestSet.repositoryOf(r.image())).isEmpty()) {
        return "a canary needs a Deployment running the application's image ("
            + ManifestSet.repositoryOf(r.image())
            + ") among its manifests, and there is none";
      }
      if (spec.deployment().httpRoute() != null) {
        return "an HTTPRoute canary (httpRoute) needs the track Services of Slipway's generated"
            + " Deployment; with the application's own manifests, canary by replica ratio";
      }
    }
    objects.storeManifests(held.lease(), ref, set);
    return null;
  }

  Resolution refuse(RolloutState r, RunContext run, String reason) {
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

  Step start(RolloutState r, Settled settled, HeldRollout held) {
    RolloutWorkRepository.Start start = settled.start();
    EnvironmentSpec spec = start.spec();
    Revision restore = settled.restore();
    boolean promote = r.reason() != DeployRequested.Reason.ROLLBACK;
    if (restore != null
        && restore.imageDigest().equals(r.imageDigest())
        && restore.spec().equals(spec)
        && java.util.Objects.equals(
            support.objects().manifestsOf(r.application(), r.environment(), restore.revision()),
            support.objects().load(r.id()).manifests())
        && alreadyServes(
            RolloutSupport.workload(settled.cluster(), spec.namespace(), r, held), r, spec)) {
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
    OffsetDateTime now = RolloutSupport.now();
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

  boolean alreadyServes(ClusterWorkload cluster, RolloutState r, EnvironmentSpec spec) {
    ReleaseObjects.Release release =
        new ReleaseObjects.Release(
            r.application(),
            r.environment(),
            spec.namespace(),
            r.pinnedImage(),
            spec.deployment(),
            support.objects().load(r.id()).manifests(),
            java.util.Map.of());
    String primary = release.primaryName();
    if (primary != null) {
      var stable = cluster.get(new ObjectRef("apps/v1", "Deployment", spec.namespace(), primary));
      if (!(stable instanceof io.fabric8.kubernetes.api.model.apps.Deployment deployment)
          || cluster.get(
                  new ObjectRef(
                      "apps/v1",
                      "Deployment",
                      spec.namespace(),
                      ReleaseObjects.canaryName(primary)))
              != null
          || deployment.getSpec().getTemplate().getSpec().getContainers().stream()
              .noneMatch(c -> r.pinnedImage().equals(c.getImage()))) {
        return false;
      }
    }
    return cluster
            .judgeAll(
                ReleaseObjects.refs(release, spec.deployment().httpRoute() != null),
                RolloutSupport.now().toInstant(),
                support.pullGrace())
            .state()
        == dev.slipway.deploy.health.DeploymentHealth.State.COMPLETE;
  }

  static Step finishEarly(
      Settled settled,
      RolloutStatus status,
      String reason,
      Long revision,
      String servingDigest,
      boolean promote) {
    return new Step.Finish(status, reason, revision, servingDigest, promote, settled.start());
  }
}

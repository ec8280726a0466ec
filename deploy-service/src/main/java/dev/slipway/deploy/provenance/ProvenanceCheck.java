package dev.slipway.deploy.provenance;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.RunContext;
import dev.slipway.events.attestation.ProvenancePolicy;
import dev.slipway.events.attestation.ProvenanceVerifier;
import dev.slipway.events.attestation.PublicKeys;
import dev.slipway.work.access.AccessPolicyFeed;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.security.interfaces.ECPublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The first check of a rollout, before any other: the digest carries a SLSA provenance signed by a
 * trusted build key ({@link TrustedBuildKeys}), about this digest, made by Slipway's builder, from
 * the application's repository (the registry's, else the run's) and the run's commit. A ROLLBACK
 * restores a revision that passed this check when it was released and is not checked again. Every
 * refusal is logged with the rollout, and becomes the rollout's FAILED outcome (its deploy.done,
 * which the audit store keeps). Blocking: it runs on a rollout worker.
 *
 * <p>An accepted verification is remembered by everything it was decided on: the image, its digest,
 * the policy (builder, repository, commit) and the trusted keys (by fingerprint). The next
 * environment of the same run asks the same question and gets the same answer without reading the
 * registry again; a change of trusted keys (a key revoked or added) or of any other part asks
 * afresh. Refusals are never remembered: a registry that was unreachable is asked again.
 */
@ApplicationScoped
public class ProvenanceCheck {

  private static final Logger LOG = Logger.getLogger(ProvenanceCheck.class);
  private static final int REMEMBERED = 512;

  private final TrustedBuildKeys keys;
  private final AccessPolicyFeed feed;
  private final ProvenanceConfig config;
  // Accepted verifications, the least recently used dropped first; guarded by itself.
  private final Map<Verified, String> accepted =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Verified, String> eldest) {
          return size() > REMEMBERED;
        }
      };

  /** What an accepted verification was decided on. */
  private record Verified(
      String image, String digest, ProvenancePolicy policy, List<String> trustedKeys) {}

  public ProvenanceCheck(TrustedBuildKeys keys, AccessPolicyFeed feed, ProvenanceConfig config) {
    this.keys = keys;
    this.feed = feed;
    this.config = config;
  }

  void announce(@Observes StartupEvent event) {
    if (keys.configured()) {
      LOG.infof(
          "rollouts apply only digests with a provenance by %s signed by a key of %s",
          config.provenance().builderId(), keys.source());
    } else {
      LOG.warn(
          "slipway.deploy.trusted-build-keys is not set: rollouts do NOT verify image provenance");
    }
  }

  /**
   * Why rollout {@code rolloutId} must not apply {@code image@digest}; empty when it may (or when
   * no keys are configured).
   */
  public Optional<String> refusal(
      String rolloutId,
      String application,
      String image,
      String digest,
      String commit,
      DeployRequested.Reason reason,
      RunContext run) {
    if (!keys.configured() || reason == DeployRequested.Reason.ROLLBACK) {
      return Optional.empty();
    }
    ProvenancePolicy policy =
        new ProvenancePolicy(config.provenance().builderId(), repository(application, run), commit);
    ProvenancePolicy.Decision decision;
    Verified question = null;
    try {
      List<ECPublicKey> trusted = keys.current();
      question =
          new Verified(image, digest, policy, trusted.stream().map(PublicKeys::keyId).toList());
      String signedBy;
      synchronized (accepted) {
        signedBy = accepted.get(question);
      }
      if (signedBy != null) {
        LOG.infof(
            "rollout %s: %s@%s has a provenance signed by %s (verified before, same keys)",
            rolloutId, image, digest, signedBy);
        return Optional.empty();
      }
      List<String> plain = config.provenance().plainHttpRegistries().orElse(List.of());
      decision = new ProvenanceVerifier(trusted, plain::contains).verify(image, digest, policy);
    } catch (IOException e) {
      decision = new ProvenancePolicy.Decision(null, null, e.getMessage());
    }
    if (decision.accepted()) {
      synchronized (accepted) {
        accepted.put(question, decision.keyId());
      }
      LOG.infof(
          "rollout %s: %s@%s has a provenance signed by %s",
          rolloutId, image, digest, decision.keyId());
      return Optional.empty();
    }
    String why = "no trusted provenance for " + image + "@" + digest + ": " + decision.refusal();
    LOG.warnf("rollout %s of %s refused: %s", rolloutId, application, why);
    return Optional.of(why);
  }

  private String repository(String application, RunContext run) {
    AccessPolicy.Application registered = feed.current().applications().get(application);
    if (registered != null) {
      return registered.repoUrl();
    }
    return run == null ? null : run.repoUrl();
  }
}

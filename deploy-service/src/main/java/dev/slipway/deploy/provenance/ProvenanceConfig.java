package dev.slipway.deploy.provenance;

import dev.slipway.events.attestation.ProvenancePolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Which build keys deploy-service trusts, and what it requires of an image's provenance. */
@ConfigMapping(prefix = "slipway.deploy")
public interface ProvenanceConfig {

  /**
   * The public keys whose signature on an image's SLSA provenance deploy-service accepts: a file
   * (PEM {@code PUBLIC KEY} blocks, build-service's keys JSON or a JWK Set) or an {@code http(s)}
   * URL, normally build-service's {@code /api/builds/keys}, fetched and cached. Absent: provenance
   * is not verified (logged at start); every deployed cluster configuration sets it.
   */
  Optional<String> trustedBuildKeys();

  /** What a provenance must say. */
  Provenance provenance();

  /** What a provenance must say, and how it is read. */
  interface Provenance {

    /** The builder id a provenance must name ({@code runDetails.builder.id}). */
    @WithDefault(ProvenancePolicy.SLIPWAY_BUILDER)
    String builderId();

    /** How long keys fetched from a URL are kept before they are fetched again. */
    @WithDefault("5m")
    Duration keysCache();

    /** Registries ({@code host[:port]}) read over plain HTTP besides loopback ones. */
    Optional<List<String>> plainHttpRegistries();
  }
}

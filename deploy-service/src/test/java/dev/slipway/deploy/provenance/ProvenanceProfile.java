package dev.slipway.deploy.provenance;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * deploy-service trusting one build key, from a PEM file, as a deployed one trusts build-service's.
 */
public class ProvenanceProfile implements QuarkusTestProfile {

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of("slipway.deploy.trusted-build-keys", SignedImages.trustedKeysFile());
  }
}

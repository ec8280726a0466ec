package dev.slipway.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OciRegistryIT {

  @Test
  void pushedArtifactIsServedUnderTheDigestItWasPushedAs() {
    byte[] sbom = "{\"bomFormat\":\"CycloneDX\"}".getBytes(StandardCharsets.UTF_8);

    String digest =
        OciRegistry.pushArtifact("acme/shop", "sbom", "application/vnd.cyclonedx+json", sbom);

    assertThat(OciRegistry.manifestDigest("acme/shop", "sbom")).isEqualTo(digest);
    assertThat(OciRegistry.manifest("acme/shop", digest)).contains(OciRegistry.digest(sbom));
    assertThat(OciRegistry.blob("acme/shop", OciRegistry.digest(sbom))).isEqualTo(sbom);
    assertThat(OciRegistry.manifestDigest("acme/shop", "missing")).isNull();
  }
}

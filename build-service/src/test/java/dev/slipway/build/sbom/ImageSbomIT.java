package dev.slipway.build.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.sbom.OsPackageReader.Found;
import dev.slipway.build.sbom.OsPackageReader.OsPackage;
import dev.slipway.testsupport.OciRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

/**
 * The image's OS packages in its SBOM: a two-layer image pushed to a real OCI registry (the Debian
 * base image's real dpkg database in the lower layer, a whiteout in the upper one) read back
 * through the registry API.
 */
class ImageSbomIT {

  private static final Path IMAGES = Path.of("src", "test", "resources", "images");

  @Test
  void aDebianImageListsItsPackagesWithSourceDistroAndLicences() throws Exception {
    String repository = "acme/os-" + UUID.randomUUID().toString().substring(0, 8);
    byte[] base =
        TarLayers.layer(
            Map.of(
                "etc/os-release", read("debian-12/etc/os-release"),
                "var/lib/dpkg/status", read("debian-12/var/lib/dpkg/status"),
                "usr/share/doc/libssl3/copyright",
                    read("debian-12/usr/share/doc/libssl3/copyright"),
                "lib/apk/db/installed", "P:stale\nV:1.0-r0\n\n".getBytes(StandardCharsets.UTF_8)));
    // The upper layer deletes apk's database: a whiteout, as a Dockerfile RUN rm would.
    byte[] upper = TarLayers.layer(Map.of("lib/apk/db/.wh.installed", new byte[0]));
    String digest = OciRegistry.pushImage(repository, "v1", List.of(base, upper));

    ImageSbom reader = new ImageSbom(OciRegistry.address(), true, Optional.empty());
    SbomGenerator.Sbom empty =
        new SbomGenerator.Sbom(
            "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[]}"
                .getBytes(StandardCharsets.UTF_8),
            0,
            List.of());
    ImageSbom.Result result = reader.addOsPackages(empty, repository, digest);

    Found found = result.found();
    assertThat(found.distroId()).isEqualTo("debian");
    assertThat(found.distroVersion()).isEqualTo("12");
    assertThat(found.packages()).hasSize(155);
    assertThat(found.packages()).noneMatch(p -> p.name().equals("stale"));
    OsPackage libssl = byName(found, "libssl3");
    assertThat(libssl.purl())
        .isEqualTo(
            "pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl");
    assertThat(libssl.licenses()).contains("Apache-2.0");
    // A binNMU: the source version differs from the binary's, so upstream names it.
    assertThat(byName(found, "bash").purl())
        .isEqualTo(
            "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2");
    // An epoch stays in the version.
    assertThat(byName(found, "zlib1g").version()).isEqualTo("1:1.2.13.dfsg-1");

    Bom bom = new JsonParser().parse(result.sbom().json());
    assertThat(bom.getComponents()).hasSize(156);
    Component os =
        bom.getComponents().stream()
            .filter(c -> c.getType() == Component.Type.OPERATING_SYSTEM)
            .findFirst()
            .orElseThrow();
    assertThat(os.getName()).isEqualTo("debian");
    Component ssl =
        bom.getComponents().stream()
            .filter(c -> libssl.purl().equals(c.getPurl()))
            .findFirst()
            .orElseThrow();
    assertThat(ssl.getLicenses().getLicenses()).extracting("id").contains("Apache-2.0");
    assertThat(result.sbom().sources()).containsExactly("debian 12 packages");
  }

  private static OsPackage byName(Found found, String name) {
    return found.packages().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  private static byte[] read(String path) {
    try {
      return Files.readAllBytes(IMAGES.resolve(path));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

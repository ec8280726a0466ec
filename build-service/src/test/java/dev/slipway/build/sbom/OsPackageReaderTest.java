package dev.slipway.build.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.sbom.OsPackageReader.Found;
import dev.slipway.build.sbom.OsPackageReader.OsPackage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OS packages read from image filesystems without a registry: rpm's SQLite database as rpm itself
 * writes it, an rpm database format that is not read (named, not skipped), apk's database.
 */
class OsPackageReaderTest {

  private static final Path IMAGES = Path.of("src", "test", "resources", "images");

  @Test
  void anRpmImageIsReadFromRpmsSqliteDatabase() throws IOException {
    ImageFiles files = new ImageFiles(OsPackageReader::wanted, 1 << 30);
    files.apply(
        new ByteArrayInputStream(
            TarLayers.layer(
                Map.of(
                    "etc/os-release", read("rocky-9/etc/os-release"),
                    "var/lib/rpm/rpmdb.sqlite", read("rocky-9/var/lib/rpm/rpmdb.sqlite")))));
    Found found = OsPackageReader.read(files);
    assertThat(found.distroId()).isEqualTo("rocky");
    assertThat(byName(found, "openssl-libs").purl())
        .isEqualTo(
            "pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=noarch&distro=rocky-9.4&epoch=1"
                + "&upstream=openssl-libs-3.0.7-27.el9.src.rpm");
    assertThat(byName(found, "openssl-libs").licenses()).containsExactly("Apache-2.0");
    assertThat(byName(found, "bash").licenses()).containsExactly("GPL-3.0-or-later");
  }

  @Test
  void anOlderRpmDatabaseIsNamedNotSilentlySkipped() throws IOException {
    ImageFiles files = new ImageFiles(OsPackageReader::wanted, 1 << 20);
    files.apply(
        new ByteArrayInputStream(
            TarLayers.layer(Map.of("var/lib/rpm/Packages", new byte[] {0, 6, 21, 97}))));
    assertThat(OsPackageReader.read(files).notes())
        .singleElement()
        .asString()
        .contains("/var/lib/rpm/Packages", "not read");
  }

  @Test
  void alpinePackagesComeFromApksInstalledDatabase() {
    // The fields apk writes for each package (P name, V version, A arch, o origin, L licence).
    String installed =
        "C:Q1abc=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nL:Apache-2.0\no:openssl\n\n"
            + "P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n";
    List<OsPackage> packages = OsPackageReader.apk(installed, "3.19.1");
    assertThat(packages)
        .extracting(OsPackage::purl)
        .containsExactly(
            "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl",
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1&upstream=musl");
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

package dev.slipway.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo image's Debian base, fetched by this machine's apt (its configured mirror). */
class DebianBaseTest {

  @TempDir Path dir;

  @Test
  void thePackagesAreUnpackedWithTheirControlDataAsDistrolessListsThem() throws Exception {
    Path cache = dir.resolve("cache");
    Path rootfs = dir.resolve("rootfs");

    DebianBase.unpack(cache, rootfs);

    Path status = rootfs.resolve(DebianBase.STATUS_D);
    assertThat(status.resolve("base-files")).exists();
    assertThat(status.resolve("busybox-static")).exists();
    String libexpat = Files.readString(status.resolve("libexpat1"));
    // The binary package names its source: the SBOM's upstream=expat, the name OSV uses.
    assertThat(libexpat).contains("Package: libexpat1\n", "Source: expat\n");
    assertThat(DebianBase.field(libexpat, "Version")).startsWith("2.5.0-1");
    assertThat(DebianBase.field(Files.readString(status.resolve("expat")), "Package"))
        .isEqualTo("expat");
    assertThat(Files.readString(rootfs.resolve("usr/lib/os-release")))
        .contains("ID=debian", "VERSION_ID=\"12\"");
    assertThat(rootfs.resolve("bin/busybox")).isExecutable();
    assertThat(rootfs.resolve("usr/bin/xmlwf")).isExecutable();
    assertThat(rootfs.resolve("lib/x86_64-linux-gnu/libexpat.so.1")).isSymbolicLink();

    // A second image reuses the downloaded packages.
    FileTime downloaded;
    try (var debs = Files.list(cache)) {
      assertThat(debs.filter(f -> f.toString().endsWith(".deb")).count())
          .isEqualTo(DebianBase.PACKAGES.size());
    }
    Path deb;
    try (var debs = Files.list(cache)) {
      deb = debs.filter(f -> f.getFileName().toString().startsWith("expat_")).findFirst().get();
    }
    downloaded = Files.getLastModifiedTime(deb);
    DebianBase.unpack(cache, rootfs);
    assertThat(Files.getLastModifiedTime(deb)).isEqualTo(downloaded);
    assertThat(status.resolve("expat")).exists();
  }
}

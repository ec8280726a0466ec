package dev.slipway.build.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.sbom.OsPackageReader.Found;
import dev.slipway.build.sbom.OsPackageReader.OsPackage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/**
 * OS packages read from image filesystems without a registry: rpm's SQLite and Berkeley DB
 * databases as rpm itself writes and reads them, hostile ones that must neither loop nor allocate
 * without bound, an rpm database format that is not read (named, not skipped), apk's database.
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
  void anRpmImageIsReadFromRpmsBerkeleyDbAsRpmItselfReadsIt() throws IOException {
    Found found = readImage(BDB, read(BDB));
    assertThat(found.notes()).isEmpty();
    assertThat(found.packages())
        .extracting(OsPackage::purl)
        .containsExactlyInAnyOrder(
            "pkg:rpm/centos/bash@4.2.46-35.el7_9?arch=noarch&distro=centos-7"
                + "&upstream=bash-4.2.46-35.el7_9.src.rpm",
            "pkg:rpm/centos/openssl-libs@1.0.2k-26.el7_9?arch=noarch&distro=centos-7&epoch=1"
                + "&upstream=openssl-libs-1.0.2k-26.el7_9.src.rpm",
            "pkg:rpm/centos/tzdata@2024a-1.el7?arch=noarch&distro=centos-7"
                + "&upstream=tzdata-2024a-1.el7.src.rpm");
    // rpm's own bdb_ro backend listed the same file (generate-rpmdb-bdb.sh).
    agreesWithRpm(found, "centos-7/rpm-qa.txt");
  }

  @Test
  void anRpmImageIsReadFromRpmsNdbAsRpmItselfReadsIt() throws IOException {
    Found found = readImage(NDB, read(NDB));
    assertThat(found.notes()).isEmpty();
    assertThat(found.packages())
        .extracting(OsPackage::purl)
        .containsExactlyInAnyOrder(
            "pkg:rpm/suse/bash@4.4-150400.27.3.2?arch=noarch&distro=sles-15.5"
                + "&upstream=bash-4.4-150400.27.3.2.src.rpm",
            "pkg:rpm/suse/libopenssl3@3.0.8-150500.5.8.1?arch=noarch&distro=sles-15.5"
                + "&upstream=libopenssl3-3.0.8-150500.5.8.1.src.rpm",
            "pkg:rpm/suse/timezone@2024a-150000.75.28.1?arch=noarch&distro=sles-15.5&epoch=1"
                + "&upstream=timezone-2024a-150000.75.28.1.src.rpm");
    // rpm built with ndb listed the same file (generate-rpmdb-ndb.sh).
    agreesWithRpm(found, "sles-15/rpm-qa.txt");
  }

  @Test
  void anNdbWhoseSlotsOrBlobsLieEndsWithANoteNotAnAllocation() throws IOException {
    byte[] real = read(NDB);
    // The first used slot (after the 32-byte header) and the blob it points at.
    int slot = 32;
    while (le(real, slot + 8) == 0) {
      slot += 16;
    }
    int blob = le(real, slot + 8) * 16;

    byte[] pages = real.clone();
    putLe(pages, 12, Integer.MAX_VALUE); // slot pages the file does not hold
    byte[] pastEnd = real.clone();
    putLe(pastEnd, slot + 12, 1 << 28); // a slot's blocks past the file's end
    byte[] checksum = real.clone();
    checksum[blob + 40] ^= 1; // one bit of a header changed: the Adler-32 no longer agrees
    byte[] length = real.clone();
    putLe(length, blob + 12, Integer.MAX_VALUE); // a blob "2 GiB" long
    byte[] repeated = real.clone(); // every free slot names the same blob: more than the file holds
    for (int at = 32; at < 4096; at += 16) {
      if (le(repeated, at + 8) == 0) {
        System.arraycopy(real, slot, repeated, at, 16);
      }
    }
    for (byte[] hostile : List.of(pages, pastEnd, checksum, length, repeated)) {
      Found found =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(5), () -> readImage(NDB, hostile));
      assertThat(found.packages()).isEmpty();
      assertThat(found.notes())
          .singleElement()
          .asString()
          .contains("/usr/lib/sysimage/rpm/Packages.db cannot be read as rpm's ndb");
    }
  }

  @Test
  void aBerkeleyDbOverflowChainThatLoopsOrLiesEndsWithANoteNotALoop() throws IOException {
    byte[] real = read(BDB);
    int pageSize = le(real, 20);
    // The longest header's off-page item (tzdata's, over several overflow pages).
    int item = 0;
    for (int page = 1; page <= le(real, 32); page++) {
      int start = page * pageSize;
      for (int i = 1; real[start + 25] == 13 && i < u16(real, start + 20); i += 2) {
        int at = start + u16(real, start + 26 + 2 * i);
        if (real[at] == 3 && (item == 0 || le(real, at + 8) > le(real, item + 8))) {
          item = at;
        }
      }
    }
    int firstOverflow = le(real, item + 4);
    int secondOverflow = le(real, firstOverflow * pageSize + 16);
    assertThat(secondOverflow).isNotZero();

    byte[] cycle = real.clone();
    putLe(cycle, secondOverflow * pageSize + 16, firstOverflow); // the chain loops back
    byte[] huge = real.clone();
    putLe(huge, item + 8, Integer.MAX_VALUE); // an item "2 GiB" long
    byte[] outside = real.clone();
    putLe(outside, item + 4, 1_000_000); // a chain starting past the last page
    byte[] lastPage = real.clone();
    putLe(lastPage, 32, 1 << 30); // a database naming pages the file does not hold

    for (byte[] hostile : List.of(cycle, huge, outside, lastPage)) {
      Found found =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(5), () -> readImage(BDB, hostile));
      assertThat(found.packages()).isEmpty();
      assertThat(found.notes())
          .singleElement()
          .asString()
          .contains("/var/lib/rpm/Packages cannot be read as rpm's Berkeley DB");
    }
  }

  @Test
  void aHeaderWhoseIndexRepeatsATagOrOverrunsItsBlobCostsNothing() throws IOException {
    // 200,000 index entries, each NAME at offset 0 of a 1 MiB string without its NUL: read once.
    int entries = 200_000;
    int data = 1 << 20;
    java.nio.ByteBuffer blob = java.nio.ByteBuffer.allocate(8 + entries * 16 + data);
    blob.putInt(entries).putInt(data);
    for (int i = 0; i < entries; i++) {
      blob.putInt(1000).putInt(6).putInt(0).putInt(1);
    }
    while (blob.hasRemaining()) {
      blob.put((byte) 'a');
    }
    Map<Integer, Object> header =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(5), () -> OsPackageReader.header(blob.array()));
    assertThat((String) header.get(1000)).hasSize(data);

    java.nio.ByteBuffer overrun = java.nio.ByteBuffer.allocate(16);
    overrun.putInt(Integer.MAX_VALUE).putInt(Integer.MAX_VALUE);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> OsPackageReader.header(overrun.array()))
        .hasMessageContaining("do not fit");
  }

  @Test
  void anRpmDatabaseThatIsNoneIsNamedNotSilentlySkipped() throws IOException {
    ImageFiles files = new ImageFiles(OsPackageReader::wanted, 1 << 20);
    files.apply(
        new ByteArrayInputStream(
            TarLayers.layer(
                Map.of(
                    "var/lib/rpm/Packages",
                    new byte[] {0, 6, 21, 97},
                    "usr/lib/sysimage/rpm/Packages.db",
                    new byte[] {'R', 'p', 'm', 'P'}))));
    assertThat(OsPackageReader.read(files).notes())
        .containsExactlyInAnyOrder(
            "/var/lib/rpm/Packages cannot be read as rpm's Berkeley DB: not a Berkeley DB hash"
                + " database",
            "/usr/lib/sysimage/rpm/Packages.db cannot be read as rpm's ndb: not an rpm ndb"
                + " database (no RpmP magic)");
  }

  private static final String BDB = "centos-7/var/lib/rpm/Packages";
  private static final String NDB = "sles-15/usr/lib/sysimage/rpm/Packages.db";

  /**
   * Name, epoch:version-release, arch, source rpm and licence of each package rpm listed ({@code
   * rpm -qa}) agree with what was read.
   */
  private static void agreesWithRpm(Found found, String rpmQa) throws IOException {
    List<String> lines = Files.readAllLines(IMAGES.resolve(rpmQa));
    assertThat(found.packages()).hasSameSizeAs(lines);
    for (String line : lines) {
      String[] fields = line.split(" ", 5);
      OsPackage read = byName(found, fields[0]);
      String epoch = fields[1].substring(0, fields[1].indexOf(':'));
      assertThat(read.version()).isEqualTo(fields[1].substring(epoch.length() + 1));
      assertThat(read.purl())
          .contains("arch=" + fields[2], "upstream=" + fields[3])
          .contains(epoch.equals("0") ? "?" : "epoch=" + epoch);
      assertThat(read.licenses()).containsExactly(fields[4]);
    }
  }

  private static Found readImage(String database, byte[] content) throws IOException {
    ImageFiles files = new ImageFiles(OsPackageReader::wanted, 1 << 30);
    files.apply(
        new ByteArrayInputStream(
            TarLayers.layer(
                Map.of(
                    "etc/os-release",
                    read(database.substring(0, database.indexOf('/')) + "/etc/os-release"),
                    database.substring(database.indexOf('/') + 1),
                    content))));
    return OsPackageReader.read(files);
  }

  private static int le(byte[] b, int at) {
    return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(at);
  }

  private static int u16(byte[] b, int at) {
    return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(at)
        & 0xffff;
  }

  private static void putLe(byte[] b, int at, int value) {
    java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(at, value);
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

  @Test
  void debiansOsReleaseSymlinkIsFollowedToUsrLibNotReadAsAnEmptyFile() throws IOException {
    // The demo image's shape: base-files' /etc/os-release symlink, distroless status.d entries
    // (each package's control data as dpkg-deb -f prints it).
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    try (var tar = new TarArchiveOutputStream(new GZIPOutputStream(layer))) {
      var link = new TarArchiveEntry("etc/os-release", TarConstants.LF_SYMLINK);
      link.setLinkName("../usr/lib/os-release");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
      file(
          tar,
          "usr/lib/os-release",
          "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
              + "VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n");
      file(
          tar,
          "var/lib/dpkg/status.d/libexpat1",
          "Package: libexpat1\nSource: expat\n"
              + "Version: 2.5.0-1+deb12u2\nArchitecture: amd64\n");
    }
    ImageFiles files = new ImageFiles(OsPackageReader::wanted, 1 << 20);
    files.apply(new ByteArrayInputStream(layer.toByteArray()));

    Found found = OsPackageReader.read(files);

    assertThat(found.distroId()).isEqualTo("debian");
    assertThat(found.distroVersion()).isEqualTo("12");
    assertThat(found.packages())
        .extracting(OsPackage::purl)
        .containsExactly(
            "pkg:deb/debian/libexpat1@2.5.0-1%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=expat");
  }

  private static void file(TarArchiveOutputStream tar, String path, String content)
      throws IOException {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    var entry = new TarArchiveEntry(path);
    entry.setSize(bytes.length);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
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

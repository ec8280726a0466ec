package dev.slipway.build.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the operating system packages of an image's filesystem, as Syft and Trivy do: the distro
 * from {@code /etc/os-release}; Debian and Ubuntu packages from dpkg's {@code status} file and
 * distroless {@code status.d}, with their source package and the licences of their machine-
 * readable {@code copyright} file; Alpine packages from apk's {@code installed} database; RPM
 * packages from rpm's SQLite database ({@code rpmdb.sqlite}, rpm 4.16 and later), its older
 * Berkeley DB hash database ({@code Packages}, {@link RpmBerkeleyDb}) or its ndb ({@code
 * Packages.db}, {@link RpmNdb}). Each becomes a package URL advisories can be matched against, e.g.
 * {@code pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl}. A
 * database that cannot be read is named in the notes, never skipped silently.
 */
public final class OsPackageReader {

  static final String OS_RELEASE = "etc/os-release";
  static final String OS_RELEASE_FALLBACK = "usr/lib/os-release";
  static final String DPKG_STATUS = "var/lib/dpkg/status";
  static final String DPKG_STATUS_D = "var/lib/dpkg/status.d/";
  static final String APK_INSTALLED = "lib/apk/db/installed";
  static final List<String> RPM_SQLITE =
      List.of("var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite");
  static final List<String> RPM_BERKELEY_DB =
      List.of("var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages");
  static final List<String> RPM_NDB =
      List.of("var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages.db");
  static final String DOC = "usr/share/doc/";

  // rpm header tags and types (rpmtag.h)
  private static final int NAME = 1000;
  private static final int VERSION = 1001;
  private static final int RELEASE = 1002;
  private static final int EPOCH = 1003;
  private static final int LICENSE = 1014;
  private static final int ARCH = 1022;
  private static final int SOURCERPM = 1044;
  private static final Set<Integer> TAGS =
      Set.of(NAME, VERSION, RELEASE, EPOCH, LICENSE, ARCH, SOURCERPM);

  /** Debian licence short names (DEP-5) and their SPDX ids; others stay names. */
  private static final Map<String, String> DEBIAN_LICENSES =
      Map.ofEntries(
          Map.entry("GPL-2", "GPL-2.0-only"),
          Map.entry("GPL-2+", "GPL-2.0-or-later"),
          Map.entry("GPL-3", "GPL-3.0-only"),
          Map.entry("GPL-3+", "GPL-3.0-or-later"),
          Map.entry("LGPL-2", "LGPL-2.0-only"),
          Map.entry("LGPL-2+", "LGPL-2.0-or-later"),
          Map.entry("LGPL-2.1", "LGPL-2.1-only"),
          Map.entry("LGPL-2.1+", "LGPL-2.1-or-later"),
          Map.entry("LGPL-3", "LGPL-3.0-only"),
          Map.entry("LGPL-3+", "LGPL-3.0-or-later"),
          Map.entry("AGPL-3", "AGPL-3.0-only"),
          Map.entry("AGPL-3+", "AGPL-3.0-or-later"),
          Map.entry("Expat", "MIT"),
          Map.entry("MIT", "MIT"),
          Map.entry("BSD-2-clause", "BSD-2-Clause"),
          Map.entry("BSD-3-clause", "BSD-3-Clause"),
          Map.entry("BSD-4-clause", "BSD-4-Clause"),
          Map.entry("Apache-2.0", "Apache-2.0"),
          Map.entry("Zlib", "Zlib"),
          Map.entry("ISC", "ISC"),
          Map.entry("MPL-2.0", "MPL-2.0"),
          Map.entry("Artistic", "Artistic-1.0-Perl"),
          Map.entry("OpenSSL", "OpenSSL"),
          Map.entry("curl", "curl"),
          Map.entry("GFDL-1.2+", "GFDL-1.2-or-later"),
          Map.entry("GFDL-1.3+", "GFDL-1.3-or-later"));

  private OsPackageReader() {}

  /**
   * An operating system package.
   *
   * @param purl its package URL
   * @param name the binary package
   * @param version the installed version
   * @param licenses SPDX ids (or names where none fits) the package states
   */
  public record OsPackage(String purl, String name, String version, List<String> licenses) {}

  /**
   * What an image's filesystem holds.
   *
   * @param distroId {@code ID} of os-release, e.g. {@code debian}; null when absent
   * @param distroVersion {@code VERSION_ID}; null when absent
   * @param packages its OS packages
   * @param notes what could not be read, for the build log
   */
  public record Found(
      String distroId, String distroVersion, List<OsPackage> packages, List<String> notes) {}

  /** Whether {@code path} is a file this reader needs. */
  static boolean wanted(String path) {
    return path.equals(OS_RELEASE)
        || path.equals(OS_RELEASE_FALLBACK)
        || path.equals(DPKG_STATUS)
        || path.startsWith(DPKG_STATUS_D)
        || path.equals(APK_INSTALLED)
        || RPM_SQLITE.contains(path)
        || RPM_BERKELEY_DB.contains(path)
        || RPM_NDB.contains(path)
        || (path.startsWith(DOC) && path.endsWith("/copyright") && path.split("/").length == 5);
  }

  /** The packages of an image's filesystem. */
  static Found read(ImageFiles files) {
    Map<String, String> osRelease = osRelease(files);
    String id = osRelease.get("ID");
    String versionId = osRelease.get("VERSION_ID");
    List<OsPackage> packages = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    byte[] status = files.get(DPKG_STATUS);
    if (status != null) {
      packages.addAll(dpkg(text(status), id, versionId, files, true));
    }
    for (Map.Entry<String, byte[]> file : files.below(DPKG_STATUS_D)) {
      packages.addAll(dpkg(text(file.getValue()), id, versionId, files, false));
    }
    byte[] apk = files.get(APK_INSTALLED);
    if (apk != null) {
      packages.addAll(apk(text(apk), versionId));
    }
    boolean rpmRead = false;
    for (String path : RPM_SQLITE) {
      byte[] db = files.get(path);
      if (db != null) {
        try {
          packages.addAll(rpm(db, id, versionId));
          rpmRead = true;
        } catch (IOException | SQLException e) {
          notes.add("/" + path + " cannot be read: " + e.getMessage());
        }
      }
    }
    for (String path : RPM_BERKELEY_DB) {
      byte[] db = files.get(path);
      if (db != null && !rpmRead) {
        try {
          packages.addAll(rpmPackages(RpmBerkeleyDb.headers(db), id, versionId));
          rpmRead = true;
        } catch (IOException e) {
          notes.add("/" + path + " cannot be read as rpm's Berkeley DB: " + e.getMessage());
        }
      }
    }
    for (String path : RPM_NDB) {
      byte[] db = files.get(path);
      if (db != null && !rpmRead) {
        try {
          packages.addAll(rpmPackages(RpmNdb.headers(db), id, versionId));
          rpmRead = true;
        } catch (IOException e) {
          notes.add("/" + path + " cannot be read as rpm's ndb: " + e.getMessage());
        }
      }
    }
    return new Found(id, versionId, packages, notes);
  }

  private static Map<String, String> osRelease(ImageFiles files) {
    byte[] content = files.get(OS_RELEASE);
    if (content == null) {
      content = files.get(OS_RELEASE_FALLBACK);
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (content == null) {
      return values;
    }
    for (String line : text(content).split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0 && !line.startsWith("#")) {
        String value = line.substring(equals + 1).trim();
        if (value.length() >= 2
            && (value.startsWith("\"") || value.startsWith("'"))
            && value.endsWith(value.substring(0, 1))) {
          value = value.substring(1, value.length() - 1);
        }
        values.put(line.substring(0, equals).trim(), value);
      }
    }
    return values;
  }

  /** dpkg's status file (or a status.d file): stanzas of fields separated by blank lines. */
  static List<OsPackage> dpkg(
      String text, String id, String versionId, ImageFiles files, boolean needsStatus) {
    String namespace = id == null ? "debian" : id.toLowerCase(Locale.ROOT);
    List<OsPackage> packages = new ArrayList<>();
    for (Map<String, String> stanza : stanzas(text)) {
      String name = stanza.get("Package");
      String version = stanza.get("Version");
      String status = stanza.get("Status");
      if (name == null || version == null) {
        continue;
      }
      if (needsStatus && (status == null || !status.endsWith(" installed"))) {
        continue;
      }
      Map<String, String> qualifiers = new TreeMap<>();
      if (stanza.get("Architecture") != null) {
        qualifiers.put("arch", stanza.get("Architecture"));
      }
      if (versionId != null) {
        qualifiers.put("distro", namespace + "-" + versionId);
      }
      String source = stanza.get("Source");
      if (source != null && !source.isBlank()) {
        // "Source: bash (5.2.15-2)" names the source version when it differs from the binary's.
        String[] parts = source.trim().split("\\s+", 2);
        String upstream = parts[0];
        if (parts.length == 2 && parts[1].startsWith("(") && parts[1].endsWith(")")) {
          upstream += "@" + parts[1].substring(1, parts[1].length() - 1);
        }
        qualifiers.put("upstream", upstream);
      }
      packages.add(
          new OsPackage(
              purl("deb", namespace, name, version, qualifiers),
              name,
              version,
              debianLicenses(files.get(DOC + name + "/copyright"))));
    }
    return packages;
  }

  /** The licences a machine-readable (DEP-5) copyright file states, as SPDX ids where known. */
  static List<String> debianLicenses(byte[] copyright) {
    if (copyright == null) {
      return List.of();
    }
    String text = text(copyright);
    if (!text.startsWith("Format:")) {
      return List.of();
    }
    Set<String> licenses = new LinkedHashSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("License:")) {
        String expression = line.substring("License:".length()).trim();
        for (String name : expression.split("\\s+(or|and|\\|)\\s+|\\s*,\\s*")) {
          String spdx = DEBIAN_LICENSES.get(name.trim());
          if (spdx != null) {
            licenses.add(spdx);
          } else if (!name.isBlank()) {
            licenses.add(name.trim());
          }
        }
      }
    }
    return List.copyOf(licenses);
  }

  /** apk's installed database: records of {@code X:value} lines separated by blank lines. */
  static List<OsPackage> apk(String text, String versionId) {
    List<OsPackage> packages = new ArrayList<>();
    for (String record : text.split("\n\n")) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String line : record.split("\n")) {
        if (line.length() > 2 && line.charAt(1) == ':') {
          fields.putIfAbsent(line.substring(0, 1), line.substring(2));
        }
      }
      String name = fields.get("P");
      String version = fields.get("V");
      if (name == null || version == null) {
        continue;
      }
      Map<String, String> qualifiers = new TreeMap<>();
      if (fields.get("A") != null) {
        qualifiers.put("arch", fields.get("A"));
      }
      if (versionId != null) {
        qualifiers.put("distro", "alpine-" + versionId);
      }
      if (fields.get("o") != null) {
        qualifiers.put("upstream", fields.get("o"));
      }
      String license = fields.get("L");
      packages.add(
          new OsPackage(
              purl("apk", "alpine", name, version, qualifiers),
              name,
              version,
              license == null || license.isBlank() ? List.of() : List.of(license)));
    }
    return packages;
  }

  /** rpm's SQLite database: a Packages table whose blobs are rpm headers. */
  static List<OsPackage> rpm(byte[] database, String id, String versionId)
      throws IOException, SQLException {
    Path file = Files.createTempFile("rpmdb-", ".sqlite");
    try {
      Files.write(file, database);
      List<byte[]> headers = new ArrayList<>();
      try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement query = sqlite.createStatement();
          ResultSet rows = query.executeQuery("SELECT blob FROM Packages")) {
        while (rows.next()) {
          headers.add(rows.getBytes(1));
        }
      }
      return rpmPackages(headers, id, versionId);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The packages of rpm header blobs, whichever database held them. */
  static List<OsPackage> rpmPackages(List<byte[]> headers, String id, String versionId)
      throws IOException {
    String namespace = rpmNamespace(id);
    List<OsPackage> packages = new ArrayList<>();
    for (byte[] blob : headers) {
      Map<Integer, Object> header = header(blob);
      String name = (String) header.get(NAME);
      if (name == null || name.startsWith("gpg-pubkey")) {
        continue;
      }
      String version = header.get(VERSION) + "-" + header.get(RELEASE);
      Map<String, String> qualifiers = new TreeMap<>();
      if (header.get(ARCH) != null) {
        qualifiers.put("arch", (String) header.get(ARCH));
      }
      if (header.get(EPOCH) != null) {
        qualifiers.put("epoch", String.valueOf(header.get(EPOCH)));
      }
      if (header.get(SOURCERPM) != null) {
        qualifiers.put("upstream", (String) header.get(SOURCERPM));
      }
      if (versionId != null && id != null) {
        qualifiers.put("distro", id.toLowerCase(Locale.ROOT) + "-" + versionId);
      }
      String license = (String) header.get(LICENSE);
      packages.add(
          new OsPackage(
              purl("rpm", namespace, name, version, qualifiers),
              name,
              version,
              license == null ? List.of() : List.of(license)));
    }
    return packages;
  }

  /** The purl namespace of an RPM distribution, by os-release ID. */
  static String rpmNamespace(String id) {
    String value = id == null ? "" : id.toLowerCase(Locale.ROOT);
    return switch (value) {
      case "rhel" -> "redhat";
      case "rocky" -> "rocky";
      case "almalinux" -> "almalinux";
      case "sles", "sled" -> "suse";
      case "opensuse-leap", "opensuse-tumbleweed", "opensuse" -> "opensuse";
      default -> value.isEmpty() ? "rpm" : value;
    };
  }

  /**
   * The tags a package URL needs (name, version, release, epoch, licence, arch, source rpm) of an
   * rpm header as rpmdb stores it: the index and data lengths, then 16-byte index entries (tag,
   * type, offset, count), then the data.
   */
  static Map<Integer, Object> header(byte[] blob) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(blob);
    if (blob.length < 8) {
      throw new IOException("an rpm header shorter than its lengths");
    }
    int entries = buffer.getInt(0);
    int dataLength = buffer.getInt(4);
    if (entries < 0 || dataLength < 0 || 8 + entries * 16L + dataLength > blob.length) {
      throw new IOException("an rpm header whose lengths do not fit its blob");
    }
    int dataStart = 8 + entries * 16;
    Map<Integer, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < entries; i++) {
      int at = 8 + i * 16;
      int tag = buffer.getInt(at);
      int type = buffer.getInt(at + 4);
      int offset = buffer.getInt(at + 8);
      if (!TAGS.contains(tag) || values.containsKey(tag)) {
        continue; // only the tags read, each once: a hostile header's repeats cost nothing
      }
      if (offset < 0 || offset >= dataLength) {
        continue;
      }
      int start = dataStart + offset;
      if (type == 6 || type == 9) { // STRING, I18NSTRING: NUL-terminated
        int end = start;
        while (end < dataStart + dataLength && blob[end] != 0) {
          end++;
        }
        values.put(tag, new String(blob, start, end - start, StandardCharsets.UTF_8));
      } else if (type == 4 && start + 4 <= dataStart + dataLength) { // INT32
        values.put(tag, buffer.getInt(start));
      }
    }
    return values;
  }

  private static List<Map<String, String>> stanzas(String text) {
    List<Map<String, String>> stanzas = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    String last = null;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          stanzas.add(current);
          current = new LinkedHashMap<>();
        }
        last = null;
      } else if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
        // a continuation line (Description, Conffiles): not a field we read
      } else {
        int colon = line.indexOf(':');
        if (colon > 0) {
          last = line.substring(0, colon);
          current.putIfAbsent(last, line.substring(colon + 1).trim());
        }
      }
    }
    if (!current.isEmpty()) {
      stanzas.add(current);
    }
    return stanzas;
  }

  private static String purl(
      String type, String namespace, String name, String version, Map<String, String> qualifiers) {
    try {
      return new PackageURL(
              type,
              namespace,
              name,
              version,
              qualifiers.isEmpty() ? null : new TreeMap<>(qualifiers),
              null)
          .canonicalize();
    } catch (MalformedPackageURLException e) {
      throw new IllegalArgumentException(
          "not a valid package: " + type + " " + namespace + "/" + name + "@" + version, e);
    }
  }

  private static String text(byte[] content) {
    return new String(content, StandardCharsets.UTF_8).replace("\r\n", "\n");
  }
}

package dev.slipway.scan.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.version.VersionOrder;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns package URLs into the packages advisories name. packageurl-java validates the URL and reads
 * its qualifiers; the namespace and name are taken as the URL spells them (packageurl-java
 * lower-cases some types' names on its own), and each ecosystem then applies its own name rule: Go
 * module paths match whether a tool spelled them {@code github.com/Azure/...}, {@code
 * github.com/azure/...} or {@code github.com/!azure/...}.
 */
public final class PackageUrls {

  // name-version-release.src.rpm: the source package of an RPM.
  private static final Pattern SOURCE_RPM = Pattern.compile("^(.+)-[^-]+-[^-]+\\.src\\.rpm$");

  private PackageUrls() {}

  /** What reading a package URL gave: a package to match, or why there is none. */
  public sealed interface Resolution permits Resolved, Refused {}

  /** A package to match. */
  public record Resolved(InstalledPackage pkg) implements Resolution {}

  /** No package: the reason, for the scan's {@code unmatched} list. */
  public record Refused(String reason) implements Resolution {}

  /**
   * The package {@code purl} names, with its version checked against its ecosystem's order.
   *
   * @param properties the component's CycloneDX properties (Trivy names the source package of an OS
   *     package there: {@code aquasecurity:trivy:SrcName}, {@code SrcVersion}, ...)
   */
  public static Resolution resolve(String purl, Map<String, String> properties) {
    PackageURL parsed;
    try {
      parsed = new PackageURL(purl);
    } catch (MalformedPackageURLException e) {
      return new Refused("not a package URL: " + e.getMessage());
    }
    Optional<Ecosystem> ecosystem = ecosystemOf(parsed.getType(), parsed.getNamespace());
    if (ecosystem.isEmpty()) {
      return new Refused(
          "no advisory database covers pkg:"
              + parsed.getType()
              + (parsed.getNamespace() == null ? "" : "/" + parsed.getNamespace()));
    }
    if (parsed.getVersion() == null || parsed.getVersion().isBlank()) {
      return new Refused("no version");
    }
    InstalledPackage pkg = packageOf(purl, parsed, ecosystem.get(), properties);
    VersionOrder order = ecosystem.get().order();
    try {
      order.parse(pkg.version());
    } catch (IllegalArgumentException e) {
      return new Refused(
          "version '" + pkg.version() + "' is not a " + ecosystem.get().osvName() + " version");
    }
    return new Resolved(pkg);
  }

  /**
   * The package of a package URL with or without a version (the exposure query's form).
   *
   * @throws IllegalArgumentException when it is no package URL of a known ecosystem
   */
  public static InstalledPackage packageOf(String purl) {
    PackageURL parsed;
    try {
      parsed = new PackageURL(purl);
    } catch (MalformedPackageURLException e) {
      throw new IllegalArgumentException("not a package URL: " + e.getMessage(), e);
    }
    Ecosystem ecosystem =
        ecosystemOf(parsed.getType(), parsed.getNamespace())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no advisory database covers pkg:" + parsed.getType()));
    return packageOf(purl, parsed, ecosystem, Map.of());
  }

  /** The ecosystem of a purl type (and, for OS packages, its namespace: the distribution). */
  public static Optional<Ecosystem> ecosystemOf(String type, String namespace) {
    String ns = namespace == null ? "" : namespace.toLowerCase(Locale.ROOT);
    Ecosystem ecosystem =
        switch (type.toLowerCase(Locale.ROOT)) {
          case "maven" -> Ecosystem.MAVEN;
          case "npm" -> Ecosystem.NPM;
          case "pypi" -> Ecosystem.PYPI;
          case "golang" -> Ecosystem.GO;
          case "cargo" -> Ecosystem.CRATES_IO;
          case "gem" -> Ecosystem.RUBYGEMS;
          case "nuget" -> Ecosystem.NUGET;
          case "composer" -> Ecosystem.PACKAGIST;
          case "hex" -> Ecosystem.HEX;
          case "pub" -> Ecosystem.PUB;
          case "deb" ->
              switch (ns) {
                case "debian" -> Ecosystem.DEBIAN;
                case "ubuntu" -> Ecosystem.UBUNTU;
                default -> null;
              };
          case "apk" -> "alpine".equals(ns) ? Ecosystem.ALPINE : null;
          case "rpm" ->
              switch (ns) {
                case "redhat", "rhel" -> Ecosystem.RED_HAT;
                case "rocky", "rockylinux" -> Ecosystem.ROCKY_LINUX;
                case "almalinux", "alma" -> Ecosystem.ALMALINUX;
                case "suse", "sles", "sled" -> Ecosystem.SUSE;
                case "opensuse" -> Ecosystem.OPENSUSE;
                default -> null;
              };
          default -> null;
        };
    return Optional.ofNullable(ecosystem);
  }

  private static InstalledPackage packageOf(
      String purl, PackageURL parsed, Ecosystem ecosystem, Map<String, String> properties) {
    List<String> path = rawPath(purl);
    String name = path.get(path.size() - 1);
    String namespace = path.size() > 1 ? String.join("/", path.subList(0, path.size() - 1)) : null;
    Map<String, String> qualifiers =
        parsed.getQualifiers() == null ? Map.of() : parsed.getQualifiers();
    String version = parsed.getVersion();
    String installed = version;
    String alternate = null;
    String release = null;
    switch (ecosystem) {
      case MAVEN -> name = namespace == null ? name : namespace + ":" + name;
      case NPM, GO, PACKAGIST -> name = namespace == null ? name : namespace + "/" + name;
      case DEBIAN, UBUNTU, ALPINE -> {
        release = ecosystem.releaseOfDistro(qualifiers.get("distro"));
        version = withEpoch(version, qualifiers.get("epoch"));
        installed = version;
        String upstream = qualifiers.get("upstream");
        String trivySource = properties.get("aquasecurity:trivy:SrcName");
        String binary = name;
        if (upstream != null && !upstream.isBlank()) {
          int at = upstream.indexOf('@');
          name = at < 0 ? upstream : upstream.substring(0, at);
          if (at >= 0 && at < upstream.length() - 1) {
            version = upstream.substring(at + 1);
          }
        } else if (trivySource != null && !trivySource.isBlank()) {
          name = trivySource;
          String sourceVersion = properties.get("aquasecurity:trivy:SrcVersion");
          if (sourceVersion != null && !sourceVersion.isBlank()) {
            String sourceRelease = properties.get("aquasecurity:trivy:SrcRelease");
            version =
                withEpoch(
                    sourceVersion
                        + (sourceRelease == null || sourceRelease.isBlank()
                            ? ""
                            : "-" + sourceRelease),
                    properties.get("aquasecurity:trivy:SrcEpoch"));
          }
        }
        // Advisories name the source package; the binary one stays findable (exposure by purl).
        alternate = binary.equals(name) ? null : ecosystem.normaliseName(binary);
      }
      case RED_HAT, ROCKY_LINUX, ALMALINUX, SUSE, OPENSUSE -> {
        release = ecosystem.releaseOfDistro(qualifiers.get("distro"));
        version = withEpoch(version, qualifiers.get("epoch"));
        installed = version;
        String upstream = qualifiers.get("upstream");
        if (upstream == null) {
          upstream = properties.get("aquasecurity:trivy:SrcName");
        }
        if (upstream != null) {
          Matcher m = SOURCE_RPM.matcher(upstream);
          String source = m.matches() ? m.group(1) : upstream;
          alternate = source.equals(name) ? null : ecosystem.normaliseName(source);
        }
      }
      default -> {}
    }
    return new InstalledPackage(
        purl, ecosystem, ecosystem.normaliseName(name), alternate, version, installed, release);
  }

  private static String withEpoch(String version, String epoch) {
    if (epoch == null || epoch.isBlank() || "0".equals(epoch) || version.contains(":")) {
      return version;
    }
    return epoch + ":" + version;
  }

  /** The namespace segments and name as the URL spells them, percent-decoded. */
  static List<String> rawPath(String purl) {
    String rest = purl.trim();
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    int question = rest.indexOf('?');
    if (question >= 0) {
      rest = rest.substring(0, question);
    }
    rest = rest.substring(rest.indexOf(':') + 1);
    while (rest.startsWith("/")) {
      rest = rest.substring(1);
    }
    int at = rest.lastIndexOf('@');
    if (at > rest.lastIndexOf('/')) {
      rest = rest.substring(0, at);
    }
    List<String> segments = new ArrayList<>();
    String[] parts = rest.split("/");
    for (int i = 1; i < parts.length; i++) {
      if (!parts[i].isEmpty()) {
        segments.add(URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return segments;
  }
}

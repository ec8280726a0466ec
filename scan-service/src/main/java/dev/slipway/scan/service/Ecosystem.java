package dev.slipway.scan.service;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The package ecosystems scan-service matches: the OSV ecosystem name, the package-URL type that
 * names the same packages, and the version order of its {@code ECOSYSTEM} ranges (null where no
 * order is implemented: only explicit {@code versions} lists and {@code SEMVER} ranges match).
 */
public enum Ecosystem {
  MAVEN("Maven", "maven", new MavenVersionOrder()),
  NPM("npm", "npm", SemverOrder.SEMVER),
  PYPI("PyPI", "pypi", new Pep440VersionOrder()),
  GO("Go", "golang", SemverOrder.GO),
  DEBIAN("Debian", "deb", new DebianVersionOrder()),
  CRATES_IO("crates.io", "cargo", SemverOrder.SEMVER),
  RUBYGEMS("RubyGems", "gem", null),
  NUGET("NuGet", "nuget", null),
  PACKAGIST("Packagist", "composer", null);

  private final String osvName;
  private final String purlType;
  private final VersionOrder order;

  Ecosystem(String osvName, String purlType, VersionOrder order) {
    this.osvName = osvName;
    this.purlType = purlType;
    this.order = order;
  }

  /** The name OSV gives the ecosystem, e.g. {@code PyPI}. */
  public String osvName() {
    return osvName;
  }

  /** The version order of {@code ECOSYSTEM} ranges, if implemented. */
  public Optional<VersionOrder> order() {
    return Optional.ofNullable(order);
  }

  /** The ecosystem of an OSV {@code ecosystem} value; {@code Debian:12} is Debian. */
  public static Optional<Ecosystem> ofOsv(String value) {
    String base = baseName(value);
    return Arrays.stream(values()).filter(e -> e.osvName.equals(base)).findFirst();
  }

  /** The ecosystem of a package-URL type, e.g. {@code golang}. */
  public static Optional<Ecosystem> ofPurlType(String type) {
    String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(e -> e.purlType.equals(lower)).findFirst();
  }

  /** {@code Debian} of {@code Debian:12}. */
  public static String baseName(String osvEcosystem) {
    int colon = osvEcosystem.indexOf(':');
    return colon < 0 ? osvEcosystem : osvEcosystem.substring(0, colon);
  }

  /** {@code 12} of {@code Debian:12}; null when the ecosystem names no release. */
  public static String release(String osvEcosystem) {
    int colon = osvEcosystem.indexOf(':');
    return colon < 0 ? null : osvEcosystem.substring(colon + 1);
  }

  /**
   * A package name as this ecosystem compares names: PyPI per PEP 503 (lower case, runs of {@code
   * -_.} as one {@code -}); the others as written ({@code group:artifact} for Maven, {@code
   * @scope/name} for npm, the module or package path for Go).
   */
  public String normalise(String name) {
    return this == PYPI ? name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-") : name;
  }
}

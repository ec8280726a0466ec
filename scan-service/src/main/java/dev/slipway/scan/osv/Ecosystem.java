package dev.slipway.scan.osv;

import dev.slipway.scan.version.ApkVersionOrder;
import dev.slipway.scan.version.ComposerVersionOrder;
import dev.slipway.scan.version.DebianVersionOrder;
import dev.slipway.scan.version.MavenVersionOrder;
import dev.slipway.scan.version.NuGetVersionOrder;
import dev.slipway.scan.version.Pep440VersionOrder;
import dev.slipway.scan.version.RpmVersionOrder;
import dev.slipway.scan.version.RubyGemsVersionOrder;
import dev.slipway.scan.version.SemanticVersionOrder;
import dev.slipway.scan.version.VersionOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OSV ecosystems scan-service matches, each with the version order of its {@code ECOSYSTEM}
 * ranges, the way it compares package names, and, for operating systems, how it names releases.
 * Every ecosystem listed here has an order: none matches only by explicit version lists.
 */
public enum Ecosystem {
  MAVEN("Maven", new MavenVersionOrder(), NameRule.EXACT, Releases.NONE),
  NPM("npm", SemanticVersionOrder.NPM, NameRule.EXACT, Releases.NONE),
  PYPI("PyPI", new Pep440VersionOrder(), NameRule.PEP_503, Releases.NONE),
  GO("Go", SemanticVersionOrder.GO, NameRule.GO_MODULE, Releases.NONE),
  CRATES_IO("crates.io", SemanticVersionOrder.SEMVER, NameRule.CRATES_IO, Releases.NONE),
  RUBYGEMS("RubyGems", new RubyGemsVersionOrder(), NameRule.EXACT, Releases.NONE),
  NUGET("NuGet", new NuGetVersionOrder(), NameRule.IGNORE_CASE, Releases.NONE),
  PACKAGIST("Packagist", new ComposerVersionOrder(), NameRule.IGNORE_CASE, Releases.NONE),
  HEX("Hex", SemanticVersionOrder.HEX, NameRule.EXACT, Releases.NONE),
  PUB("Pub", SemanticVersionOrder.PUB, NameRule.EXACT, Releases.NONE),
  DEBIAN("Debian", new DebianVersionOrder(), NameRule.EXACT, Releases.DEBIAN),
  UBUNTU("Ubuntu", new DebianVersionOrder(), NameRule.EXACT, Releases.UBUNTU),
  ALPINE("Alpine", new ApkVersionOrder(), NameRule.EXACT, Releases.ALPINE),
  RED_HAT("Red Hat", new RpmVersionOrder(), NameRule.EXACT, Releases.MAJOR),
  ROCKY_LINUX("Rocky Linux", new RpmVersionOrder(), NameRule.EXACT, Releases.MAJOR),
  ALMALINUX("AlmaLinux", new RpmVersionOrder(), NameRule.EXACT, Releases.MAJOR),
  SUSE("SUSE", new RpmVersionOrder(), NameRule.EXACT, Releases.SUSE),
  OPENSUSE("openSUSE", new RpmVersionOrder(), NameRule.EXACT, Releases.SUSE);

  private final String osvName;
  private final VersionOrder order;
  private final NameRule names;
  private final Releases releases;

  Ecosystem(String osvName, VersionOrder order, NameRule names, Releases releases) {
    this.osvName = osvName;
    this.order = order;
    this.names = names;
    this.releases = releases;
  }

  /** The name OSV gives the ecosystem, e.g. {@code PyPI}. */
  public String osvName() {
    return osvName;
  }

  /** The order of its versions ({@code ECOSYSTEM} ranges). */
  public VersionOrder order() {
    return order;
  }

  /** The order of its {@code SEMVER} ranges: Go's accepts the {@code v} prefix. */
  public VersionOrder semverOrder() {
    return this == GO ? SemanticVersionOrder.GO : SemanticVersionOrder.SEMVER;
  }

  /** Whether its packages belong to an operating system release. */
  public boolean hasReleases() {
    return releases != Releases.NONE;
  }

  /** The ecosystem of an OSV {@code ecosystem} value; {@code Debian:12} is Debian. */
  public static Optional<Ecosystem> ofOsv(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String base = baseName(value);
    return Arrays.stream(values()).filter(e -> e.osvName.equals(base)).findFirst();
  }

  /** {@code Debian} of {@code Debian:12}. */
  public static String baseName(String osvEcosystem) {
    int colon = osvEcosystem.indexOf(':');
    return colon < 0 ? osvEcosystem : osvEcosystem.substring(0, colon);
  }

  /**
   * The release an OSV ecosystem value names, as this ecosystem compares releases: {@code 12} of
   * {@code Debian:12}, {@code 22.04} of {@code Ubuntu:Pro:22.04:LTS}, {@code 3.19} of {@code
   * Alpine:v3.19}, {@code 9} of {@code Rocky Linux:9} and {@code Red
   * Hat:enterprise_linux:9::appstream}, {@code 15.5} of {@code SUSE:Linux Enterprise Server 15
   * SP5}; null when it names none.
   */
  public String releaseOfOsv(String osvEcosystem) {
    int colon = osvEcosystem.indexOf(':');
    return colon < 0 ? null : releases.normalise(osvEcosystem.substring(colon + 1));
  }

  /**
   * The release a package URL's {@code distro} qualifier names, in its Syft and Trivy spellings:
   * {@code debian-12}, {@code debian-12.4}, {@code bookworm}, {@code ubuntu-22.04}, {@code jammy},
   * {@code alpine-3.19.1}, {@code 3.19.1}, {@code rhel-9.4}, {@code sles-15.5}; null when absent or
   * not understood.
   */
  public String releaseOfDistro(String distro) {
    return distro == null || distro.isBlank() ? null : releases.normalise(distro);
  }

  /** A package name as this ecosystem compares names. */
  public String normaliseName(String name) {
    return names.normalise(name);
  }

  /** How an ecosystem compares package names. */
  private enum NameRule {
    /** As written: Maven {@code group:artifact}, npm {@code @scope/name}. */
    EXACT,
    /**
     * Go module and package paths, without regard to case: tools that follow the purl spec's letter
     * lower-case them ({@code github.com/azure/...}, packageurl-java among them), others keep Go's
     * spelling ({@code github.com/Azure/...}) or the module proxy's case encoding ({@code
     * github.com/!azure/...}); advisories use Go's. Matching all three spellings misses none; paths
     * that differ only in case are in practice one repository (GitHub's paths are
     * case-insensitive), so a false match costs less than a silent miss.
     */
    GO_MODULE,
    /** NuGet ids and Packagist {@code vendor/package}: case-insensitive. */
    IGNORE_CASE,
    /** PEP 503: lower case, runs of {@code -_.} as one {@code -}. */
    PEP_503,
    /** crates.io: case-insensitive, {@code -} and {@code _} the same crate. */
    CRATES_IO;

    String normalise(String name) {
      return switch (this) {
        case EXACT -> name;
        case GO_MODULE -> name.replace("!", "").toLowerCase(Locale.ROOT);
        case IGNORE_CASE -> name.toLowerCase(Locale.ROOT);
        case PEP_503 -> name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
        case CRATES_IO -> name.toLowerCase(Locale.ROOT).replace('_', '-');
      };
    }
  }

  /** How an operating system names its releases, reduced to what advisories distinguish. */
  private enum Releases {
    NONE,
    DEBIAN,
    UBUNTU,
    ALPINE,
    MAJOR,
    SUSE;

    private static final Map<String, String> DEBIAN_CODENAMES =
        Map.ofEntries(
            Map.entry("wheezy", "7"),
            Map.entry("jessie", "8"),
            Map.entry("stretch", "9"),
            Map.entry("buster", "10"),
            Map.entry("bullseye", "11"),
            Map.entry("bookworm", "12"),
            Map.entry("trixie", "13"),
            Map.entry("forky", "14"));
    private static final Map<String, String> UBUNTU_CODENAMES =
        Map.ofEntries(
            Map.entry("xenial", "16.04"),
            Map.entry("bionic", "18.04"),
            Map.entry("focal", "20.04"),
            Map.entry("jammy", "22.04"),
            Map.entry("kinetic", "22.10"),
            Map.entry("lunar", "23.04"),
            Map.entry("mantic", "23.10"),
            Map.entry("noble", "24.04"),
            Map.entry("oracular", "24.10"),
            Map.entry("plucky", "25.04"),
            Map.entry("questing", "25.10"));
    private static final Pattern MAJOR_NUMBER = Pattern.compile("(?<![0-9.])([0-9]+)");
    private static final Pattern MAJOR_MINOR = Pattern.compile("([0-9]+)\\.([0-9]+)");
    private static final Pattern SUSE_SERVICE_PACK =
        Pattern.compile("([0-9]+)(?:[ -]?SP([0-9]+))?");

    String normalise(String text) {
      String value = text.trim().toLowerCase(Locale.ROOT);
      return switch (this) {
        case NONE -> null;
        case DEBIAN -> {
          for (Map.Entry<String, String> codename : DEBIAN_CODENAMES.entrySet()) {
            if (value.contains(codename.getKey())) {
              yield codename.getValue();
            }
          }
          yield firstMatch(MAJOR_NUMBER, value, 1);
        }
        case UBUNTU -> {
          for (Map.Entry<String, String> codename : UBUNTU_CODENAMES.entrySet()) {
            if (value.contains(codename.getKey())) {
              yield codename.getValue();
            }
          }
          Matcher m = MAJOR_MINOR.matcher(value);
          yield m.find() ? Integer.parseInt(m.group(1)) + "." + m.group(2) : null;
        }
        case ALPINE -> {
          Matcher m = MAJOR_MINOR.matcher(value);
          yield value.contains("edge")
              ? "edge"
              : (m.find()
                  ? Integer.parseInt(m.group(1)) + "." + Integer.parseInt(m.group(2))
                  : null);
        }
        case MAJOR -> firstMatch(MAJOR_NUMBER, value, 1);
        case SUSE -> {
          if (value.contains("tumbleweed")) {
            yield "tumbleweed";
          }
          Matcher dotted = MAJOR_MINOR.matcher(value);
          if (dotted.find()) {
            yield Integer.parseInt(dotted.group(1)) + "." + Integer.parseInt(dotted.group(2));
          }
          Matcher sp = SUSE_SERVICE_PACK.matcher(text.trim().toUpperCase(Locale.ROOT));
          yield sp.find()
              ? Integer.parseInt(sp.group(1)) + "." + (sp.group(2) == null ? "0" : sp.group(2))
              : null;
        }
      };
    }

    private static String firstMatch(Pattern pattern, String value, int group) {
      Matcher m = pattern.matcher(value);
      return m.find() ? String.valueOf(Integer.parseInt(m.group(group))) : null;
    }
  }
}

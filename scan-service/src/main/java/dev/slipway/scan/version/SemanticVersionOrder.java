package dev.slipway.scan.version;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11) in the dialects of the ecosystems that use
 * it: numeric identifiers compare as numbers, identifiers with letters or hyphens compare as ASCII
 * text, so {@code 1.0.0-rc10 < 1.0.0-rc9}, numeric below alphanumeric, a release above its
 * pre-releases, build metadata ignored.
 *
 * <p>semver4j's {@code compareTo} orders {@code rc10} after {@code rc9} (it compares digits inside
 * an alphanumeric identifier as numbers), which none of npm, Go, Cargo or Hex does, so the
 * precedence is written out here and checked against each ecosystem's own implementation
 * (node-semver, golang.org/x/mod/semver, Elixir's Version, pub_semver): see the vectors under
 * {@code src/test/resources/versions}.
 */
public final class SemanticVersionOrder implements VersionOrder {

  /** OSV {@code SEMVER} ranges and crates.io (Cargo): strict SemVer, a leading {@code v} read. */
  public static final SemanticVersionOrder SEMVER =
      new SemanticVersionOrder("SemVer", true, false, false, false);

  /** npm (node-semver): strict SemVer, a leading {@code v} read. */
  public static final SemanticVersionOrder NPM =
      new SemanticVersionOrder("npm", true, false, false, false);

  /**
   * Go modules (golang.org/x/mod/semver): {@code v} prefix (absent in OSV records, so optional),
   * {@code v1} and {@code v1.2} short for {@code v1.0.0} and {@code v1.2.0}, {@code +incompatible}
   * build metadata, pseudo-versions ordinary pre-releases.
   */
  public static final SemanticVersionOrder GO =
      new SemanticVersionOrder("Go", true, true, false, false);

  /** Hex (Elixir's Version): strict SemVer, no prefix. */
  public static final SemanticVersionOrder HEX =
      new SemanticVersionOrder("Hex", false, false, false, false);

  /**
   * Pub (pub_semver): SemVer with leading zeros read as numbers and build metadata compared after
   * the release ({@code 1.0.0 < 1.0.0+build}).
   */
  public static final SemanticVersionOrder PUB =
      new SemanticVersionOrder("Pub", false, false, true, true);

  private static final String IDENTIFIER = "[0-9A-Za-z-]+";
  private static final String IDENTIFIERS = IDENTIFIER + "(?:\\." + IDENTIFIER + ")*";
  private static final Pattern VERSION =
      Pattern.compile(
          "^(?<major>[0-9]+)(?:\\.(?<minor>[0-9]+)(?:\\.(?<patch>[0-9]+))?)?"
              + "(?:-(?<pre>"
              + IDENTIFIERS
              + "))?(?:\\+(?<build>"
              + IDENTIFIERS
              + "))?$");

  private final String ecosystem;
  private final boolean optionalV;
  private final boolean shortForms;
  private final boolean leadingZeros;
  private final boolean buildCompared;

  private SemanticVersionOrder(
      String ecosystem,
      boolean optionalV,
      boolean shortForms,
      boolean leadingZeros,
      boolean buildCompared) {
    this.ecosystem = ecosystem;
    this.optionalV = optionalV;
    this.shortForms = shortForms;
    this.leadingZeros = leadingZeros;
    this.buildCompared = buildCompared;
  }

  @Override
  public ParsedVersion parse(String text) {
    if (text == null) {
      throw new InvalidVersionException("null", ecosystem);
    }
    String version = text.trim();
    if (optionalV && version.startsWith("v")) {
      version = version.substring(1);
    }
    Matcher m = VERSION.matcher(version);
    if (!m.matches()) {
      throw new InvalidVersionException(text, ecosystem);
    }
    boolean complete = m.group("minor") != null && m.group("patch") != null;
    boolean suffixed = m.group("pre") != null || m.group("build") != null;
    if (!complete && (!shortForms || suffixed)) {
      throw new InvalidVersionException(text, ecosystem);
    }
    List<String> core =
        List.of(
            m.group("major"),
            m.group("minor") == null ? "0" : m.group("minor"),
            m.group("patch") == null ? "0" : m.group("patch"));
    List<String> pre = identifiers(m.group("pre"));
    if (!leadingZeros
        && (core.stream().anyMatch(SemanticVersionOrder::hasLeadingZero)
            || pre.stream().anyMatch(i -> isNumeric(i) && hasLeadingZero(i)))) {
      throw new InvalidVersionException(text, ecosystem);
    }
    return new SemanticVersion(
        new BigInteger(core.get(0)),
        new BigInteger(core.get(1)),
        new BigInteger(core.get(2)),
        pre,
        buildCompared ? identifiers(m.group("build")) : List.of(),
        buildCompared);
  }

  private static List<String> identifiers(String dotted) {
    return dotted == null ? List.of() : new ArrayList<>(List.of(dotted.split("\\.")));
  }

  private static boolean hasLeadingZero(String number) {
    return number.length() > 1 && number.charAt(0) == '0';
  }

  private static boolean isNumeric(String identifier) {
    for (int i = 0; i < identifier.length(); i++) {
      char c = identifier.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return !identifier.isEmpty();
  }

  /**
   * semver.org §11.4: identifier by identifier; a shorter list of equal identifiers sorts first.
   */
  static int compareIdentifiers(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      String x = a.get(i);
      String y = b.get(i);
      boolean xNumeric = isNumeric(x);
      boolean yNumeric = isNumeric(y);
      int c;
      if (xNumeric && yNumeric) {
        c = new BigInteger(x).compareTo(new BigInteger(y));
      } else if (xNumeric != yNumeric) {
        c = xNumeric ? -1 : 1;
      } else {
        c = x.compareTo(y);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private record SemanticVersion(
      BigInteger major,
      BigInteger minor,
      BigInteger patch,
      List<String> pre,
      List<String> build,
      boolean buildCompared)
      implements ParsedVersion {

    @Override
    public int compareTo(ParsedVersion other) {
      SemanticVersion that = (SemanticVersion) other;
      int c = major.compareTo(that.major);
      if (c == 0) {
        c = minor.compareTo(that.minor);
      }
      if (c == 0) {
        c = patch.compareTo(that.patch);
      }
      if (c != 0) {
        return c;
      }
      if (pre.isEmpty() != that.pre.isEmpty()) {
        return pre.isEmpty() ? 1 : -1;
      }
      c = compareIdentifiers(pre, that.pre);
      if (c != 0 || !buildCompared) {
        return c;
      }
      if (build.isEmpty() != that.build.isEmpty()) {
        return build.isEmpty() ? -1 : 1;
      }
      return compareIdentifiers(build, that.build);
    }
  }
}

package dev.slipway.scan.service;

import java.util.regex.Pattern;
import org.semver4j.Semver;

/**
 * Semantic Versioning 2.0 order (semver4j's {@code compareTo}, not npm's range rules, which leave
 * pre-releases out): npm, crates.io, OSV {@code SEMVER} ranges, and Go, whose versions carry a
 * {@code v} prefix and {@code +incompatible} (build metadata, which the order ignores).
 */
public final class SemverOrder implements VersionOrder {

  /** Plain semantic versions; a leading {@code v} is tolerated as npm does. */
  public static final SemverOrder SEMVER = new SemverOrder("SemVer");

  /** Go module versions: {@code v1.2.3}, pseudo-versions, {@code +incompatible}. */
  public static final SemverOrder GO = new SemverOrder("Go");

  // The timestamp-hash tail of a Go pseudo-version (v0.0.0-20190408214815-ec0a89a131e3).
  private static final Pattern PSEUDO_VERSION_TAIL = Pattern.compile("(\\d{14})-([0-9a-f]{12})$");

  private final String ecosystem;

  private SemverOrder(String ecosystem) {
    this.ecosystem = ecosystem;
  }

  @Override
  public ParsedVersion parse(String text) {
    if (text == null) {
      throw new InvalidVersionException("null", ecosystem);
    }
    String version = text.trim();
    if (version.startsWith("v") || version.startsWith("V")) {
      version = version.substring(1);
    }
    if (this == GO) {
      // semver4j 6.0.0 orders a pre-release identifier holding a hyphen above "preview1"; as
      // timestamp.hash the pseudo-version sorts as Go's own semver package sorts it.
      version = PSEUDO_VERSION_TAIL.matcher(version).replaceFirst("$1.$2");
    }
    try {
      return new SemanticVersion(new Semver(version));
    } catch (IllegalArgumentException e) {
      throw new InvalidVersionException(text, ecosystem);
    }
  }

  private record SemanticVersion(Semver version) implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      return version.compareTo(((SemanticVersion) other).version);
    }
  }
}

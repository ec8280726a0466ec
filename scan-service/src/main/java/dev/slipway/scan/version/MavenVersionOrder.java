package dev.slipway.scan.version;

import org.apache.maven.artifact.versioning.ComparableVersion;

/** Maven's own order (maven-artifact's {@link ComparableVersion}): every text is a version. */
public final class MavenVersionOrder implements VersionOrder {

  @Override
  public ParsedVersion parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidVersionException(String.valueOf(text), "Maven");
    }
    return new MavenVersion(new ComparableVersion(text.trim()));
  }

  private record MavenVersion(ComparableVersion version) implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      return version.compareTo(((MavenVersion) other).version);
    }
  }
}

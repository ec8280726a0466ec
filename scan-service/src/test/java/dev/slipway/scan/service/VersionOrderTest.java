package dev.slipway.scan.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Version orders against reference implementations: PEP 440 vectors generated with Debian's
 * python3-packaging, Debian vectors generated with dpkg itself (both committed with their
 * generators under {@code src/test/resources/versions}).
 */
class VersionOrderTest {

  @Test
  void pep440OrderMatchesPythonPackagingOnEveryVector() throws IOException {
    VersionOrder pep440 = new Pep440VersionOrder();
    List<String> lines = lines("/versions/pep440-vectors.tsv");
    int compared = 0;
    int invalid = 0;
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f[0].equals("order")) {
        int expected = sign(f[2]);
        assertThat(Integer.signum(pep440.parse(f[1]).compareTo(pep440.parse(f[3]))))
            .as("%s %s %s", f[1], f[2], f[3])
            .isEqualTo(expected);
        assertThat(Integer.signum(pep440.parse(f[3]).compareTo(pep440.parse(f[1]))))
            .as("%s %s %s (reversed)", f[1], f[2], f[3])
            .isEqualTo(-expected);
        compared++;
      } else {
        assertThatThrownBy(() -> pep440.parse(f[1]))
            .as("'%s' is no PEP 440 version", f[1])
            .isInstanceOf(VersionOrder.InvalidVersionException.class);
        invalid++;
      }
    }
    assertThat(compared).isGreaterThan(5000);
    assertThat(invalid).isGreaterThan(15);
  }

  @Test
  void debianOrderMatchesDpkgOnEveryVector() throws IOException {
    VersionOrder debian = new DebianVersionOrder();
    int compared = 0;
    for (String line : lines("/versions/debian-vectors.tsv")) {
      String[] f = line.split("\t", -1);
      assertThat(Integer.signum(debian.parse(f[0]).compareTo(debian.parse(f[2]))))
          .as("%s %s %s", f[0], f[1], f[2])
          .isEqualTo(sign(f[1]));
      compared++;
    }
    assertThat(compared).isGreaterThan(800);
  }

  @ParameterizedTest
  @CsvSource({
    // Maven (ComparableVersion): qualifiers, trailing zeros, numeric parts
    "MAVEN, 2.14.1, <, 2.15.0",
    "MAVEN, 2.4, <, 2.12.2",
    "MAVEN, 2.15.0-rc1, <, 2.15.0",
    "MAVEN, 1.0, =, 1.0.0",
    "MAVEN, 1.0-SNAPSHOT, <, 1.0",
    "MAVEN, 1.0.Final, =, 1.0",
    "MAVEN, 2.10, >, 2.9",
    // npm: SemVer 2.0 with pre-releases compared, not excluded
    "NPM, 1.2.5, <, 1.2.6",
    "NPM, 1.2.6-beta.1, <, 1.2.6",
    "NPM, 1.2.6-beta.2, >, 1.2.6-beta.1",
    "NPM, 1.2.6+build.5, =, 1.2.6",
    // Go: v prefix, +incompatible, pseudo-versions
    "GO, v3.2.0+incompatible, =, 3.2.0",
    "GO, v0.3.7, <, 0.3.8",
    "GO, v0.0.0-20150717181359-44718f8a89b0, >, 0.0.0-20150101000000-aaaaaaaaaaaa",
    "GO, v4.0.0-preview1, <, 4.0.0",
    "GO, v4.0.0-20190408214815-ec0a89a131e3, <, 4.0.0-preview1",
  })
  void ecosystemOrders(Ecosystem ecosystem, String a, String op, String b) {
    VersionOrder order = ecosystem.order().orElseThrow();
    assertThat(Integer.signum(order.parse(a).compareTo(order.parse(b)))).isEqualTo(sign(op));
  }

  @Test
  void semverRejectsWhatIsNoSemanticVersion() {
    assertThatThrownBy(() -> SemverOrder.SEMVER.parse("1.2"))
        .isInstanceOf(VersionOrder.InvalidVersionException.class);
  }

  private static int sign(String op) {
    return switch (op) {
      case "<" -> -1;
      case ">" -> 1;
      default -> 0;
    };
  }

  private static List<String> lines(String resource) throws IOException {
    try (InputStream in = VersionOrderTest.class.getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.startsWith("#") && !l.isEmpty())
          .toList();
    }
  }
}

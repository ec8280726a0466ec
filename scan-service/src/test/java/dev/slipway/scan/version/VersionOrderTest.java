package dev.slipway.scan.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every version order against vectors produced by its ecosystem's own implementation (committed
 * with their generators under {@code src/test/resources/versions}; each file's first line names the
 * implementation and its version):
 *
 * <ul>
 *   <li>npm: node-semver (generate-npm.js)
 *   <li>Go: golang.org/x/mod/semver (generate-go.go)
 *   <li>Hex: Elixir's Version (generate-hex.exs)
 *   <li>Pub: pub_semver's own tests (dart-lang/pub_semver test/version_test.dart)
 *   <li>PyPI: Debian's python3-packaging (generate-pep440.py)
 *   <li>Debian and Ubuntu: dpkg --compare-versions (generate-debian.sh)
 *   <li>RubyGems: Ruby's Gem::Version (generate-rubygems.rb)
 *   <li>Packagist: composer/semver (generate-packagist.php)
 *   <li>RPM: rpm's rpm.ver via python3-rpm (generate-rpm.py)
 *   <li>Alpine: apk-tools' {@code apk version -t}, as google/osv-scalibr generated them
 *   <li>NuGet: NuGet.Versioning's own tests (NuGet/NuGet.Client)
 * </ul>
 *
 * Maven's order is maven-artifact's ComparableVersion itself; its cases below are Maven's own
 * documented ones.
 */
class VersionOrderTest {

  static Stream<Arguments> vectorFiles() {
    return Stream.of(
        Arguments.of("npm-vectors.tsv", SemanticVersionOrder.NPM, 3000),
        Arguments.of("go-vectors.tsv", SemanticVersionOrder.GO, 1300),
        Arguments.of("hex-vectors.tsv", SemanticVersionOrder.HEX, 1100),
        Arguments.of("pub-vectors.tsv", SemanticVersionOrder.PUB, 130),
        Arguments.of("pep440-vectors.tsv", new Pep440VersionOrder(), 5000),
        Arguments.of("debian-vectors.tsv", new DebianVersionOrder(), 1300),
        Arguments.of("rubygems-vectors.tsv", new RubyGemsVersionOrder(), 9000),
        Arguments.of("packagist-vectors.tsv", new ComposerVersionOrder(), 11000),
        Arguments.of("rpm-vectors.tsv", new RpmVersionOrder(), 3800),
        Arguments.of("alpine-vectors.tsv", new ApkVersionOrder(), 13000),
        Arguments.of("nuget-vectors.tsv", new NuGetVersionOrder(), 35));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectorFiles")
  void orderAgreesWithTheEcosystemsOwnImplementation(String file, VersionOrder order, int atLeast)
      throws IOException {
    List<String> disagreements = new ArrayList<>();
    int compared = 0;
    for (String line : lines("/versions/" + file)) {
      String[] f = line.split("\t", -1);
      if (f[0].equals("order")) {
        int expected = sign(f[2]);
        try {
          int forward = Integer.signum(order.parse(f[1]).compareTo(order.parse(f[3])));
          int backward = Integer.signum(order.parse(f[3]).compareTo(order.parse(f[1])));
          if (forward != expected || backward != -expected) {
            disagreements.add(f[1] + " " + f[2] + " " + f[3] + " (we say " + forward + ")");
          }
        } catch (IllegalArgumentException e) {
          disagreements.add(f[1] + " " + f[2] + " " + f[3] + ": " + e.getMessage());
        }
        compared++;
      } else {
        try {
          order.parse(f[1]);
          disagreements.add("'" + f[1] + "' is no version there, but parses");
        } catch (VersionOrder.InvalidVersionException e) {
          // refused, as the ecosystem refuses it
        }
      }
    }
    assertThat(disagreements).as(file).isEmpty();
    assertThat(compared).isGreaterThanOrEqualTo(atLeast);
  }

  @ParameterizedTest
  @CsvSource({
    // Maven's own examples (ComparableVersion): qualifiers, trailing zeros, numeric parts
    "2.14.1, <, 2.15.0",
    "2.4, <, 2.12.2",
    "2.15.0-rc1, <, 2.15.0",
    "1.0, =, 1.0.0",
    "1.0-SNAPSHOT, <, 1.0",
    "1.0.Final, =, 1.0",
    "2.10, >, 2.9",
    "1-alpha, <, 1-beta",
    "1-rc, <, 1",
    "1, <, 1-sp",
  })
  void mavenOrderIsComparableVersions(String a, String op, String b) {
    VersionOrder maven = new MavenVersionOrder();
    assertThat(Integer.signum(maven.parse(a).compareTo(maven.parse(b)))).isEqualTo(sign(op));
  }

  @ParameterizedTest
  @CsvSource({"1.0.0-rc10, 1.0.0-rc9", "1.0.0-alpha.10, 1.0.0-alpha.beta", "1.0.0-1, 1.0.0-a"})
  void semverComparesAlphanumericIdentifiersAsText(String lower, String higher) {
    // npm, Go, Cargo and Hex agree (see the vectors); semver4j's compareTo does not.
    for (SemanticVersionOrder order :
        List.of(SemanticVersionOrder.NPM, SemanticVersionOrder.SEMVER, SemanticVersionOrder.HEX)) {
      assertThat(order.parse(lower).compareTo(order.parse(higher))).isNegative();
    }
  }

  @ParameterizedTest
  @CsvSource({"v3.2.0+incompatible, 3.2.0", "v1.2, 1.2.0", "1.2.3, v1.2.3"})
  void goReadsOsvSpellingsAndModuleSpellingsAlike(String a, String b) {
    assertThat(SemanticVersionOrder.GO.parse(a).compareTo(SemanticVersionOrder.GO.parse(b)))
        .isZero();
  }

  @ParameterizedTest
  @CsvSource({"1.2", "1.2.3.4", "'  '"})
  void semverRefusesWhatIsNoSemanticVersion(String text) {
    assertThatThrownBy(() -> SemanticVersionOrder.SEMVER.parse(text))
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

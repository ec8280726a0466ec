package dev.slipway.scan.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Severity;
import dev.slipway.scan.repository.AdvisoryRepository.AffectedRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Matching of components against the real advisories of {@code infra/advisories}: versions just
 * below, at and above each boundary, in each ecosystem's order, through the same code the scanner
 * uses ({@link ComponentMatcher#match(List, List)} over the rows the database would return).
 */
class MatchingTest {

  @ParameterizedTest(name = "{0} {1}: affected={2}, fixed={3}")
  @CsvSource(
      nullValues = "-",
      value = {
        // Log4Shell: [2.13.0, 2.15.0), [0, 2.3.1), [2.4, 2.12.2)
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1, "
            + Advisories.LOG4SHELL
            + ", true, 2.15.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.13.0, "
            + Advisories.LOG4SHELL
            + ", true, 2.15.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0, "
            + Advisories.LOG4SHELL
            + ", false, -",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0-rc1, "
            + Advisories.LOG4SHELL
            + ", true, 2.15.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1, "
            + Advisories.LOG4SHELL
            + ", true, 2.12.2",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2, "
            + Advisories.LOG4SHELL
            + ", false, -",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.3, "
            + Advisories.LOG4SHELL
            + ", true, 2.3.1",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.3.1, "
            + Advisories.LOG4SHELL
            + ", false, -",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.4, "
            + Advisories.LOG4SHELL
            + ", true, 2.12.2",
        "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1, "
            + Advisories.LOG4SHELL
            + ", false, -",
        // minimist: [0, 0.2.4), [1.0.0, 1.2.6)
        "pkg:npm/minimist@1.2.5, " + Advisories.MINIMIST + ", true, 1.2.6",
        "pkg:npm/minimist@1.2.6, " + Advisories.MINIMIST + ", false, -",
        "pkg:npm/minimist@1.2.7, " + Advisories.MINIMIST + ", false, -",
        "pkg:npm/minimist@1.2.6-beta.1, " + Advisories.MINIMIST + ", true, 1.2.6",
        "pkg:npm/minimist@0.2.3, " + Advisories.MINIMIST + ", true, 0.2.4",
        "pkg:npm/minimist@0.2.4, " + Advisories.MINIMIST + ", false, -",
        "pkg:npm/minimist@1.0.0, " + Advisories.MINIMIST + ", true, 1.2.6",
        // semver: three ranges
        "pkg:npm/semver@7.5.1, " + Advisories.SEMVER + ", true, 7.5.2",
        "pkg:npm/semver@7.5.2, " + Advisories.SEMVER + ", false, -",
        "pkg:npm/semver@6.3.0, " + Advisories.SEMVER + ", true, 6.3.1",
        "pkg:npm/semver@6.3.1, " + Advisories.SEMVER + ", false, -",
        "pkg:npm/semver@5.7.2, " + Advisories.SEMVER + ", false, -",
        // lodash-es in the same advisory as lodash
        "pkg:npm/lodash-es@4.17.20, " + Advisories.LODASH + ", true, 4.17.21",
        // requests: [2.3.0, 2.31.0), PEP 440
        "pkg:pypi/requests@2.2.9, " + Advisories.REQUESTS + ", false, -",
        "pkg:pypi/requests@2.3.0, " + Advisories.REQUESTS + ", true, 2.31.0",
        "pkg:pypi/requests@2.3, " + Advisories.REQUESTS + ", true, 2.31.0",
        "pkg:pypi/requests@2.31.0rc1, " + Advisories.REQUESTS + ", true, 2.31.0",
        "pkg:pypi/requests@2.31.0, " + Advisories.REQUESTS + ", false, -",
        "pkg:pypi/requests@2.31.0.post1, " + Advisories.REQUESTS + ", false, -",
        // Jinja2 is jinja2 once PEP 503 normalises it
        "pkg:pypi/Jinja2@3.1.2, " + Advisories.JINJA2 + ", true, 3.1.3",
        "pkg:pypi/jinja2@3.1.3, " + Advisories.JINJA2 + ", false, -",
        // py: last_affected 1.11.0, no fix
        "pkg:pypi/py@1.11.0, " + Advisories.PY + ", true, -",
        "pkg:pypi/py@1.10.9, " + Advisories.PY + ", true, -",
        "pkg:pypi/py@1.11.0.post1, " + Advisories.PY + ", false, -",
        "pkg:pypi/py@1.11.1.dev0, " + Advisories.PY + ", false, -",
        // Go: the package golang.org/x/text/language inside the module golang.org/x/text
        "pkg:golang/golang.org/x/text@v0.3.7, " + Advisories.X_TEXT + ", true, 0.3.8",
        "pkg:golang/golang.org/x/text@v0.3.8, " + Advisories.X_TEXT + ", false, -",
        "pkg:golang/golang.org/x/text@v0.3.9, " + Advisories.X_TEXT + ", false, -",
        // jwt-go: introduced a pseudo-version, last_affected 3.2.0 (v3.2.0+incompatible in go.mod)
        "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0+incompatible, "
            + Advisories.JWT_GO
            + ", true, -",
        "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.1, " + Advisories.JWT_GO + ", false, -",
        "pkg:golang/github.com/dgrijalva/jwt-go@v0.0.0-20150717181359-44718f8a89b0, "
            + Advisories.JWT_GO
            + ", true, -",
        "pkg:golang/github.com/dgrijalva/jwt-go@v0.0.0-20150101000000-aaaaaaaaaaaa, "
            + Advisories.JWT_GO
            + ", false, -",
        // the /v4 module is another module: its own range applies, not the v3 one
        "pkg:golang/github.com/dgrijalva/jwt-go/v4@v4.0.0-preview1, "
            + Advisories.JWT_GO
            + ", false, -",
        "pkg:golang/github.com/dgrijalva/jwt-go/v4@v4.0.0-20190408214815-ec0a89a131e3, "
            + Advisories.JWT_GO
            + ", true, 4.0.0-preview1",
      })
  void realAdvisoryBoundaries(String purl, String advisory, boolean affected, String fixed)
      throws Exception {
    List<MatchedFinding> findings = match(purl, Advisories.read(advisory));
    if (affected) {
      assertThat(findings)
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.advisoryId()).isEqualTo(advisory);
                assertThat(f.fixedVersion()).isEqualTo(fixed);
              });
    } else {
      assertThat(findings).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}: affected={1}")
  @CsvSource({"1.2.4, false", "1.2.5, true", "1.2.9, true", "2.0.0, false", "2.0.1, false"})
  void limitCapsTheRange(String version, boolean affected) throws Exception {
    // No GitHub-reviewed advisory read here has a limit event: a variant of the minimist record.
    ObjectNode doc = Advisories.document(Advisories.MINIMIST);
    ArrayNode events = (ArrayNode) doc.at("/affected/0/ranges/0/events");
    events.removeAll();
    events.addObject().put("introduced", "1.2.5");
    events.addObject().put("limit", "2.0.0");
    assertThat(match("pkg:npm/minimist@" + version, OsvReader.read(doc))).hasSize(affected ? 1 : 0);
  }

  @ParameterizedTest(name = "{0}: affected={1}")
  @CsvSource({
    "0.9.0, false",
    "1.0.0, true",
    "1.1.0, true",
    "1.1.1, false",
    "2.0.0, true",
    "3.0.0, false"
  })
  void semverRangeAndVersionsList(String version, boolean affected) throws Exception {
    // SEMVER range [1.0.0, 1.1.0] by last_affected, plus 2.0.0 listed on its own.
    ObjectNode doc = Advisories.document(Advisories.MINIMIST);
    ObjectNode entry = (ObjectNode) doc.at("/affected/0");
    ObjectNode range = (ObjectNode) entry.at("/ranges/0");
    range.put("type", "SEMVER");
    ArrayNode events = (ArrayNode) range.get("events");
    events.removeAll();
    events.addObject().put("introduced", "1.0.0");
    events.addObject().put("last_affected", "1.1.0");
    entry.putArray("versions").add("2.0.0");
    ((ArrayNode) doc.get("affected")).remove(1);
    assertThat(match("pkg:npm/minimist@" + version, OsvReader.read(doc))).hasSize(affected ? 1 : 0);
  }

  @ParameterizedTest(name = "{0}: affected={1}")
  @CsvSource({
    "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12, true",
    "pkg:deb/debian/openssl@3.0.9-1?distro=debian-12, true",
    "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12, false",
    "pkg:deb/debian/openssl@3.0.11-1?distro=debian-12, false",
    "pkg:deb/debian/openssl@1:3.0.0-1?distro=debian-12, false",
    "pkg:deb/debian/openssl@3.0.9-1?distro=debian-11, false",
  })
  void debianReleaseAndDpkgOrder(String purl, boolean affected) throws Exception {
    // No Debian record is committed: the minimist record reshaped as a Debian 12 one.
    ObjectNode doc = Advisories.document(Advisories.MINIMIST);
    ((ArrayNode) doc.get("affected")).remove(1);
    ObjectNode entry = (ObjectNode) doc.at("/affected/0");
    entry.putObject("package").put("ecosystem", "Debian:12").put("name", "openssl");
    ArrayNode events = (ArrayNode) entry.at("/ranges/0/events");
    events.removeAll();
    events.addObject().put("introduced", "0");
    events.addObject().put("fixed", "3.0.11-1~deb12u2");
    assertThat(match(purl, OsvReader.read(doc))).hasSize(affected ? 1 : 0);
  }

  @Test
  void advisoriesSharingAnAliasMergeIntoOneFinding() throws Exception {
    // A PYSEC record naming the same CVE as GitHub's requests advisory, with its own fix.
    ObjectNode pysec = Advisories.document(Advisories.REQUESTS);
    pysec.put("id", "PYSEC-2023-74");
    ((ArrayNode) pysec.get("aliases")).removeAll().add("CVE-2023-32681").add("GHSA-j8r2-6x86-q33q");
    pysec.remove("severity");
    List<MatchedFinding> findings =
        match(
            "pkg:pypi/requests@2.30.0",
            Advisories.read(Advisories.REQUESTS),
            OsvReader.read(pysec));
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.advisoryId()).isEqualTo(Advisories.REQUESTS);
              assertThat(f.aliases()).containsExactly("CVE-2023-32681", "PYSEC-2023-74");
              assertThat(f.severity()).isEqualTo(Severity.MEDIUM);
              assertThat(f.fixedVersion()).isEqualTo("2.31.0");
            });
  }

  @Test
  void twoAdvisoriesOnOneComponentStayTwoFindings() throws Exception {
    List<MatchedFinding> findings =
        match(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            Advisories.read(Advisories.LOG4SHELL),
            Advisories.read(Advisories.LOG4J_45046));
    assertThat(findings)
        .extracting(MatchedFinding::advisoryId, MatchedFinding::fixedVersion)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(Advisories.LOG4SHELL, "2.15.0"),
            org.assertj.core.groups.Tuple.tuple(Advisories.LOG4J_45046, "2.16.0"));
  }

  /** Rows as the database returns them for the component, then the scanner's matching. */
  static List<MatchedFinding> match(String purl, Advisory... advisories) throws Exception {
    Component component = Component.of(purl, List.of()).orElseThrow();
    List<AffectedRow> rows = new ArrayList<>();
    for (Advisory advisory : advisories) {
      for (AffectedPackage affected : advisory.affected()) {
        boolean exact =
            Ecosystem.baseName(affected.ecosystem()).equals(component.ecosystem().osvName())
                && affected.name().equals(component.name());
        boolean below =
            component.ecosystem() == Ecosystem.GO
                && affected.name().startsWith(component.name() + "/");
        if (exact || below) {
          rows.add(
              new AffectedRow(
                  advisory.id(),
                  advisory.aliases(),
                  advisory.severity().level(),
                  Ecosystem.release(affected.ecosystem()),
                  exact ? null : component.name(),
                  affected));
        }
      }
    }
    return ComponentMatcher.match(List.of(component), rows);
  }
}

package dev.slipway.scan.match;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Severity;
import dev.slipway.scan.Advisories;
import dev.slipway.scan.osv.Advisory;
import dev.slipway.scan.osv.AffectedPackage;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.osv.OsvReader;
import dev.slipway.scan.sbom.InstalledPackage;
import dev.slipway.scan.sbom.PackageUrls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Matching against real advisories of each ecosystem (infra/advisories and src/test/resources/osv,
 * sources in their READMEs): versions at each edge of each range (introduced, just below fixed,
 * fixed, between two ranges, last_affected and the next), in the ecosystem's own order and name
 * rules, through the same code the scanner uses over the rows the database would return.
 */
class MatchingTest {

  @ParameterizedTest(name = "{0} {1}: affected={2}, fixed={3}")
  @CsvSource(
      nullValues = "-",
      value = {
        // Maven, Log4Shell: [2.13.0, 2.15.0), [0, 2.3.1), [2.4, 2.12.2)
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1, GHSA-jfh8-c2jp-5v3q, true, 2.15.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.13.0, GHSA-jfh8-c2jp-5v3q, true, 2.15.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0, GHSA-jfh8-c2jp-5v3q, false, -",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0-rc1, GHSA-jfh8-c2jp-5v3q, true, 2.15.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.1, GHSA-jfh8-c2jp-5v3q, true, 2.12.2",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2, GHSA-jfh8-c2jp-5v3q, false, -",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.3.1, GHSA-jfh8-c2jp-5v3q, false, -",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.4, GHSA-jfh8-c2jp-5v3q, true, 2.12.2",
        "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1, GHSA-jfh8-c2jp-5v3q, false, -",
        // npm: minimist [0, 0.2.4), [1.0.0, 1.2.6); semver's three ranges
        "pkg:npm/minimist@1.2.5, GHSA-xvch-5gv4-984h, true, 1.2.6",
        "pkg:npm/minimist@1.2.6, GHSA-xvch-5gv4-984h, false, -",
        "pkg:npm/minimist@1.2.6-beta.1, GHSA-xvch-5gv4-984h, true, 1.2.6",
        "pkg:npm/minimist@0.2.4, GHSA-xvch-5gv4-984h, false, -",
        "pkg:npm/minimist@0.9.0, GHSA-xvch-5gv4-984h, false, -",
        "pkg:npm/minimist@1.0.0, GHSA-xvch-5gv4-984h, true, 1.2.6",
        "pkg:npm/semver@7.5.1, GHSA-c2qf-rxjj-qqgw, true, 7.5.2",
        "pkg:npm/semver@6.3.1, GHSA-c2qf-rxjj-qqgw, false, -",
        "pkg:npm/%40azure/identity@4.2.0, GHSA-m5vv-6r4h-3vj9, true, 4.2.1",
        "pkg:npm/%40azure/identity@4.2.1, GHSA-m5vv-6r4h-3vj9, false, -",
        // PyPI: requests [2.3.0, 2.31.0); py last_affected 1.11.0; names per PEP 503
        "pkg:pypi/requests@2.2.9, GHSA-j8r2-6x86-q33q, false, -",
        "pkg:pypi/requests@2.3, GHSA-j8r2-6x86-q33q, true, 2.31.0",
        "pkg:pypi/requests@2.31.0rc1, GHSA-j8r2-6x86-q33q, true, 2.31.0",
        "pkg:pypi/requests@2.31.0, GHSA-j8r2-6x86-q33q, false, -",
        "pkg:pypi/Jinja2@3.1.2, GHSA-h5c8-rqwp-cp95, true, 3.1.3",
        "pkg:pypi/py@1.11.0, GHSA-w596-4wvx-j9j6, true, -",
        "pkg:pypi/py@1.11.0.post1, GHSA-w596-4wvx-j9j6, false, -",
        "pkg:pypi/Azure_Identity@1.16.0, GHSA-m5vv-6r4h-3vj9, true, 1.16.1",
        // Go: module spelled with capitals, module covering package paths, /vN, pseudo-versions
        "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.5.2, GHSA-m5vv-6r4h-3vj9, true, 1.6.0",
        "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.6.0, GHSA-m5vv-6r4h-3vj9, false, -",
        // ... and spelled as tools that lower-case Go purls (the purl spec's letter) or as the
        // module proxy encodes capitals: the same module, never a silent miss
        "pkg:golang/github.com/azure/azure-sdk-for-go/sdk/azidentity@v1.5.2, GHSA-m5vv-6r4h-3vj9, true, 1.6.0",
        "pkg:golang/github.com/%21azure/azure-sdk-for-go/sdk/azidentity@v1.5.2, GHSA-m5vv-6r4h-3vj9, true, 1.6.0",
        "pkg:golang/github.com/azure/azure-sdk-for-go/sdk/azidentity@v1.6.0, GHSA-m5vv-6r4h-3vj9, false, -",
        "pkg:golang/golang.org/x/text@v0.3.7, GHSA-69ch-w2m2-3vjp, true, 0.3.8",
        "pkg:golang/golang.org/x/text@v0.3.8, GHSA-69ch-w2m2-3vjp, false, -",
        "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0+incompatible, GHSA-w73w-5m7g-f7qc, true, -",
        "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.1, GHSA-w73w-5m7g-f7qc, false, -",
        "pkg:golang/github.com/dgrijalva/jwt-go@v0.0.0-20150717181359-44718f8a89b0, GHSA-w73w-5m7g-f7qc, true, -",
        "pkg:golang/github.com/dgrijalva/jwt-go@v0.0.0-20150101000000-aaaaaaaaaaaa, GHSA-w73w-5m7g-f7qc, false, -",
        "pkg:golang/github.com/dgrijalva/jwt-go/v4@v4.0.0-preview1, GHSA-w73w-5m7g-f7qc, false, -",
        "pkg:golang/golang.org/x/net@v0.3.0, GO-2022-1144, true, 0.4.0",
        "pkg:golang/golang.org/x/net@v0.4.0, GO-2022-1144, false, -",
        "pkg:golang/stdlib@v1.18.8, GO-2022-1144, true, 1.18.9",
        "pkg:golang/stdlib@v1.18.9, GO-2022-1144, false, -",
        "pkg:golang/stdlib@v1.18.10, GO-2022-1144, false, -",
        "pkg:golang/stdlib@v1.19.0-rc1, GO-2022-1144, true, 1.19.4",
        "pkg:golang/stdlib@v1.19.0, GO-2022-1144, true, 1.19.4",
        "pkg:golang/stdlib@v1.19.4, GO-2022-1144, false, -",
        // crates.io: tokio [0, 1.8.4), [1.9.0, 1.13.1); names case-insensitive
        "pkg:cargo/tokio@1.8.3, GHSA-fg7r-2g4j-5cgr, true, 1.8.4",
        "pkg:cargo/tokio@1.8.4, GHSA-fg7r-2g4j-5cgr, false, -",
        "pkg:cargo/tokio@1.8.5, GHSA-fg7r-2g4j-5cgr, false, -",
        "pkg:cargo/tokio@1.9.0, GHSA-fg7r-2g4j-5cgr, true, 1.13.1",
        "pkg:cargo/tokio@1.13.0, GHSA-fg7r-2g4j-5cgr, true, 1.13.1",
        "pkg:cargo/tokio@1.13.1, GHSA-fg7r-2g4j-5cgr, false, -",
        "pkg:cargo/Tokio@1.9.0, GHSA-fg7r-2g4j-5cgr, true, 1.13.1",
        // RubyGems: rack [0, 2.0.9.1), [2.1, 2.1.4.1), [2.2, 2.2.3.1), Gem::Version order
        "pkg:gem/rack@2.0.9, GHSA-wq4h-7r42-5hrr, true, 2.0.9.1",
        "pkg:gem/rack@2.0.9.1, GHSA-wq4h-7r42-5hrr, false, -",
        "pkg:gem/rack@2.0.10, GHSA-wq4h-7r42-5hrr, false, -",
        "pkg:gem/rack@2.1.0.rc1, GHSA-wq4h-7r42-5hrr, false, -",
        "pkg:gem/rack@2.1, GHSA-wq4h-7r42-5hrr, true, 2.1.4.1",
        "pkg:gem/rack@2.1.4, GHSA-wq4h-7r42-5hrr, true, 2.1.4.1",
        "pkg:gem/rack@2.2.3, GHSA-wq4h-7r42-5hrr, true, 2.2.3.1",
        "pkg:gem/rack@2.2.3.1, GHSA-wq4h-7r42-5hrr, false, -",
        // NuGet: ids without regard to case, four-part versions
        "pkg:nuget/Azure.Identity@1.11.3, GHSA-m5vv-6r4h-3vj9, true, 1.11.4",
        "pkg:nuget/azure.identity@1.11.3.0, GHSA-m5vv-6r4h-3vj9, true, 1.11.4",
        "pkg:nuget/Azure.Identity@1.11.4, GHSA-m5vv-6r4h-3vj9, false, -",
        "pkg:nuget/Microsoft.Identity.Client@4.61.3-preview, GHSA-m5vv-6r4h-3vj9, true, 4.61.3",
        // Packagist: guzzlehttp/psr7 [0, 1.8.4), [2.0.0, 2.1.1); Composer's v prefix and case
        "pkg:composer/guzzlehttp/psr7@1.8.3, GHSA-q7rv-6hp3-vh96, true, 1.8.4",
        "pkg:composer/guzzlehttp/psr7@v1.8.4, GHSA-q7rv-6hp3-vh96, false, -",
        "pkg:composer/guzzlehttp/psr7@1.9.0, GHSA-q7rv-6hp3-vh96, false, -",
        "pkg:composer/guzzlehttp/psr7@2.0.0-beta1, GHSA-q7rv-6hp3-vh96, false, -",
        "pkg:composer/GuzzleHttp/psr7@v2.0.0, GHSA-q7rv-6hp3-vh96, true, 2.1.1",
        "pkg:composer/guzzlehttp/psr7@2.1.1, GHSA-q7rv-6hp3-vh96, false, -",
        // Hex: oidcc [3.0.0, 3.0.2), [3.1.0, 3.1.2), [3.2.0-beta.1, 3.2.0-beta.3)
        "pkg:hex/oidcc@2.9.9, GHSA-mj35-2rgf-cv8p, false, -",
        "pkg:hex/oidcc@3.0.0, GHSA-mj35-2rgf-cv8p, true, 3.0.2",
        "pkg:hex/oidcc@3.0.2, GHSA-mj35-2rgf-cv8p, false, -",
        "pkg:hex/oidcc@3.1.1, GHSA-mj35-2rgf-cv8p, true, 3.1.2",
        "pkg:hex/oidcc@3.2.0-beta.2, GHSA-mj35-2rgf-cv8p, true, 3.2.0-beta.3",
        "pkg:hex/oidcc@3.2.0-beta.3, GHSA-mj35-2rgf-cv8p, false, -",
        "pkg:hex/oidcc@3.2.0, GHSA-mj35-2rgf-cv8p, false, -",
        // Debian: DSA-3029-1 for Debian 7 only, source package via upstream=
        "pkg:deb/debian/nginx@1.2.1-2.2+wheezy2?distro=debian-7, DSA-3029-1, true, 1.2.1-2.2+wheezy3",
        "pkg:deb/debian/nginx-common@1.2.1-2.2+wheezy2?distro=wheezy&upstream=nginx, DSA-3029-1, true, 1.2.1-2.2+wheezy3",
        "pkg:deb/debian/nginx@1.2.1-2.2+wheezy3?distro=debian-7.11, DSA-3029-1, false, -",
        "pkg:deb/debian/nginx@1.2.1-2.2+wheezy2?distro=debian-12, DSA-3029-1, false, -",
        "pkg:deb/debian/nginx-common@1.2.1-2.2+wheezy2?distro=debian-7, DSA-3029-1, false, -",
        // Debian 12: DEBIAN-CVE-2026-56410 (source expat) against the demo image's bookworm
        // packages,
        // spelled as build-service's OsPackageReader writes them; bookworm-security fixes it
        "pkg:deb/debian/libexpat1@2.5.0-1%2Bdeb12u2?arch=amd64&distro=debian-12&upstream=expat, DEBIAN-CVE-2026-56410, true, 2.5.0-1+deb12u3",
        "pkg:deb/debian/expat@2.5.0-1%2Bdeb12u2?arch=amd64&distro=debian-12, DEBIAN-CVE-2026-56410, true, 2.5.0-1+deb12u3",
        "pkg:deb/debian/libexpat1@2.5.0-1%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=expat, DEBIAN-CVE-2026-56410, false, -",
        "pkg:deb/debian/libexpat1@2.5.0-1%2Bdeb12u5?arch=amd64&distro=debian-12&upstream=expat, DEBIAN-CVE-2026-56410, false, -",
        "pkg:deb/debian/libexpat1@2.8.1-1?arch=amd64&distro=debian-13&upstream=expat, DEBIAN-CVE-2026-56410, true, 2.8.2-1~deb13u1",
        "pkg:deb/debian/libexpat1@2.5.0-1%2Bdeb12u2?arch=amd64&distro=debian-11&upstream=expat, DEBIAN-CVE-2026-56410, false, -",
        // Ubuntu: an unfixed range plus a versions list, release from the distro qualifier
        "pkg:deb/ubuntu/linux-image-generic@3.13.0-206.257?distro=ubuntu-14.04&upstream=linux, UBUNTU-CVE-2025-38094, true, -",
        "pkg:deb/ubuntu/linux@3.13.0-24.46?distro=trusty, UBUNTU-CVE-2025-38094, true, -",
        "pkg:deb/ubuntu/linux@3.13.0-206.257?distro=ubuntu-22.04, UBUNTU-CVE-2025-38094, false, -",
      })
  void realAdvisoryEdges(String purl, String advisory, boolean affected, String fixed) {
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

  @Test
  void anAdvisoryWithoutSeverityIsFoundWithSeverityUnknown() {
    assertThat(match("pkg:golang/golang.org/x/net@v0.3.0", Advisories.read(Advisories.GO_X_NET)))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.UNKNOWN));
  }

  @ParameterizedTest(name = "{0}: affected={1}")
  @CsvSource({"1.2.4, false", "1.2.5, true", "1.2.9, true", "2.0.0, false", "2.0.1, false"})
  void limitCapsTheRange(String version, boolean affected) {
    // No record read here has a limit event: a variant of the minimist record.
    ObjectNode doc = Advisories.document(Advisories.MINIMIST);
    ArrayNode events = (ArrayNode) doc.at("/affected/0/ranges/0/events");
    events.removeAll();
    events.addObject().put("introduced", "1.2.5");
    events.addObject().put("limit", "2.0.0");
    assertThat(match("pkg:npm/minimist@" + version, OsvReader.read(doc))).hasSize(affected ? 1 : 0);
  }

  @Test
  void anEventItsOrderCannotReadErrsTowardsReporting() {
    // A fixed version no npm order reads leaves the range open instead of closing it.
    ObjectNode doc = Advisories.document(Advisories.MINIMIST);
    ArrayNode events = (ArrayNode) doc.at("/affected/1/ranges/0/events");
    ((ObjectNode) events.get(1)).put("fixed", "1.2.6 (see notes)");
    assertThat(match("pkg:npm/minimist@1.2.7", OsvReader.read(doc))).hasSize(1);
  }

  @Test
  void recordsOfOneVulnerabilityMergeIntoOneFinding() {
    // A PYSEC record naming the same CVE as GitHub's requests advisory, with its own fix.
    ObjectNode pysec = Advisories.document(Advisories.REQUESTS);
    pysec.put("id", "PYSEC-2023-74");
    ((ArrayNode) pysec.get("aliases")).removeAll().add("CVE-2023-32681");
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
  void aThirdRecordNamingTwoCvesNeverMergesThem() {
    // Two records of two CVEs on one package, and a third that lists both: three findings, so
    // ignoring one CVE can never hide the other.
    ObjectNode first = Advisories.document(Advisories.LOG4SHELL);
    ObjectNode second = Advisories.document(Advisories.LOG4J_45046);
    ObjectNode both = Advisories.document(Advisories.LOG4J_45046);
    both.put("id", "OSV-2021-BOTH");
    ((ArrayNode) both.get("aliases")).removeAll().add("CVE-2021-44228").add("CVE-2021-45046");
    List<MatchedFinding> findings =
        match(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            OsvReader.read(first),
            OsvReader.read(both),
            OsvReader.read(second));
    assertThat(findings)
        .extracting(MatchedFinding::advisoryId)
        .containsExactlyInAnyOrder(Advisories.LOG4SHELL, Advisories.LOG4J_45046, "OSV-2021-BOTH");
    MatchedFinding log4shell =
        findings.stream()
            .filter(f -> f.advisoryId().equals(Advisories.LOG4SHELL))
            .findFirst()
            .orElseThrow();
    assertThat(log4shell.isNamed("CVE-2021-45046")).isFalse();
  }

  @Test
  void aThirdRecordNamingTwoIdsOfAnyOneDatabaseNeverMergesThem() {
    // Go vulndb ids with no CVE or GHSA, bridged by a record of another database that lists both.
    ObjectNode first = Advisories.document(Advisories.GO_X_NET);
    first.put("id", "GO-2099-0001");
    ((ArrayNode) first.get("aliases")).removeAll();
    ObjectNode second = first.deepCopy();
    second.put("id", "GO-2099-0002");
    ObjectNode both = first.deepCopy();
    both.put("id", "BIT-2099-0003");
    ((ArrayNode) both.get("aliases")).add("GO-2099-0001").add("GO-2099-0002");
    List<MatchedFinding> findings =
        match(
            "pkg:golang/golang.org/x/net@v0.3.0",
            OsvReader.read(both),
            OsvReader.read(first),
            OsvReader.read(second));
    assertThat(findings)
        .extracting(MatchedFinding::advisoryId)
        .containsExactlyInAnyOrder("GO-2099-0001", "GO-2099-0002", "BIT-2099-0003");
    assertThat(findings)
        .filteredOn(f -> f.advisoryId().startsWith("GO-"))
        .allSatisfy(f -> assertThat(f.aliases()).isEmpty());
  }

  @Test
  void unreadableVersionsAreReportedNotDropped() {
    assertThat(PackageUrls.resolve("pkg:npm/left-pad@latest", Map.of()))
        .isEqualTo(new PackageUrls.Refused("version 'latest' is not a npm version"));
    assertThat(PackageUrls.resolve("pkg:swift/github.com/apple/swift-nio@2.0.0", Map.of()))
        .isInstanceOf(PackageUrls.Refused.class);
    assertThat(PackageUrls.resolve("pkg:deb/kali/openssl@3.0.0", Map.of()))
        .isEqualTo(new PackageUrls.Refused("no advisory database covers pkg:deb/kali"));
  }

  @Test
  void trivySpellsTheSourcePackageInProperties() {
    InstalledPackage pkg =
        resolve(
            "pkg:deb/debian/nginx-common@1.2.1-2.2+wheezy2?arch=amd64&distro=debian-7.11",
            Map.of(
                "aquasecurity:trivy:SrcName", "nginx",
                "aquasecurity:trivy:SrcVersion", "1.2.1",
                "aquasecurity:trivy:SrcRelease", "2.2+wheezy2"));
    assertThat(pkg.name()).isEqualTo("nginx");
    assertThat(pkg.version()).isEqualTo("1.2.1-2.2+wheezy2");
    assertThat(pkg.release()).isEqualTo("7");
    assertThat(match(pkg, Advisories.read(Advisories.NGINX_DSA))).hasSize(1);
  }

  @Test
  void anRpmIsLookedUpByItsSourcePackageTooAndComparedWithItsEpoch() {
    InstalledPackage pkg =
        resolve(
            "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1"
                + "&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rhel-9.4",
            Map.of());
    assertThat(pkg.name()).isEqualTo("openssl-libs");
    assertThat(pkg.alternateName()).isEqualTo("openssl");
    assertThat(pkg.version()).isEqualTo("1:3.0.7-27.el9");
    assertThat(pkg.release()).isEqualTo("9");
  }

  static List<MatchedFinding> match(String purl, Advisory... advisories) {
    return match(resolve(purl, Map.of()), advisories);
  }

  private static InstalledPackage resolve(String purl, Map<String, String> properties) {
    PackageUrls.Resolution resolution = PackageUrls.resolve(purl, properties);
    assertThat(resolution).as(purl).isInstanceOf(PackageUrls.Resolved.class);
    return ((PackageUrls.Resolved) resolution).pkg();
  }

  /** Rows as the database returns them for the package, then the scanner's matching. */
  static List<MatchedFinding> match(InstalledPackage pkg, Advisory... advisories) {
    List<Candidate> rows = new ArrayList<>();
    for (Advisory advisory : advisories) {
      for (AffectedPackage affected : advisory.affected()) {
        Ecosystem ecosystem = Ecosystem.ofOsv(affected.ecosystem()).orElse(null);
        if (ecosystem != pkg.ecosystem()) {
          continue;
        }
        boolean exact =
            affected.name().equals(pkg.name()) || affected.name().equals(pkg.alternateName());
        boolean below =
            pkg.ecosystem() == Ecosystem.GO && affected.name().startsWith(pkg.name() + "/");
        if (exact || below) {
          rows.add(
              new Candidate(
                  advisory.id(),
                  advisory.aliases(),
                  advisory.severity().level(),
                  ecosystem.releaseOfOsv(affected.ecosystem()),
                  exact ? null : pkg.name(),
                  affected));
        }
      }
    }
    return Matcher.match(List.of(pkg), rows);
  }
}

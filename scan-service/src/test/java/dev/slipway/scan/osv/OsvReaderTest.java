package dev.slipway.scan.osv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Severity;
import dev.slipway.scan.Advisories;
import org.junit.jupiter.api.Test;

class OsvReaderTest {

  @Test
  void severityIsScoredFromTheCvssVector() {
    Advisory log4shell = Advisories.read(Advisories.LOG4SHELL);
    assertThat(log4shell.severity().level()).isEqualTo(Severity.CRITICAL);
    assertThat(log4shell.severity().score()).isEqualTo(10.0);
    assertThat(log4shell.aliases()).containsExactly("CVE-2021-44228");
    // CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N scores 6.1
    assertThat(Advisories.read(Advisories.REQUESTS).severity().score()).isEqualTo(6.1);
    assertThat(Advisories.read(Advisories.REQUESTS).severity().level()).isEqualTo(Severity.MEDIUM);
    assertThat(Advisories.read(Advisories.MINIMIST).severity().score()).isEqualTo(9.8);
  }

  @Test
  void aCvssV4VectorWinsOverV3() {
    ObjectNode doc = Advisories.document(Advisories.REQUESTS);
    doc.withArray("severity")
        .addObject()
        .put("type", "CVSS_V4")
        .put("score", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    Advisory advisory = OsvReader.read(doc);
    assertThat(advisory.severity().vector()).startsWith("CVSS:4.0/");
    assertThat(advisory.severity().level()).isEqualTo(Severity.CRITICAL);
  }

  @Test
  void withoutAVectorTheDatabaseRatingCountsModerateBeingMedium() {
    ObjectNode doc = Advisories.document(Advisories.SEMVER);
    doc.remove("severity");
    assertThat(OsvReader.read(doc).severity())
        .isEqualTo(new Advisory.AdvisorySeverity(Severity.MEDIUM, null, null));
    doc.remove("database_specific");
    assertThat(OsvReader.read(doc).severity().level()).isEqualTo(Severity.UNKNOWN);
  }

  @Test
  void schemaBreachesPointAtTheValue() {
    ObjectNode doc = Advisories.document(Advisories.MINIMIST);
    ((ObjectNode) doc.at("/affected/1/ranges/0")).put("type", "CALVER");
    assertThatThrownBy(() -> OsvReader.read(doc))
        .isInstanceOfSatisfying(
            OsvFormatException.class,
            e -> assertThat(e.pointer()).isEqualTo("/affected/1/ranges/0/type"));
    ObjectNode noId = Advisories.document(Advisories.MINIMIST);
    noId.remove("id");
    assertThatThrownBy(() -> OsvReader.read(noId)).hasMessage("id is required");
  }

  @Test
  void ubuntuRatesItsOwnSeverityAndGoVulndbRatesNone() {
    assertThat(Advisories.read(Advisories.UBUNTU_LINUX).severity().level())
        .isEqualTo(Severity.MEDIUM);
    assertThat(Advisories.read(Advisories.GO_X_NET).severity().level()).isEqualTo(Severity.UNKNOWN);
    // GitHub's rack record has an empty severity array and its own rating.
    assertThat(Advisories.read(Advisories.RACK).severity().level()).isEqualTo(Severity.HIGH);
  }

  @Test
  void releasesAreStoredAsEachOsComparesThem() {
    assertThat(Ecosystem.UBUNTU.releaseOfOsv("Ubuntu:Pro:14.04:LTS")).isEqualTo("14.04");
    assertThat(Ecosystem.DEBIAN.releaseOfOsv("Debian:12")).isEqualTo("12");
    assertThat(Ecosystem.ALPINE.releaseOfOsv("Alpine:v3.19")).isEqualTo("3.19");
    assertThat(Ecosystem.RED_HAT.releaseOfOsv("Red Hat:enterprise_linux:9::appstream"))
        .isEqualTo("9");
    assertThat(Ecosystem.ROCKY_LINUX.releaseOfOsv("Rocky Linux:8")).isEqualTo("8");
    assertThat(Ecosystem.SUSE.releaseOfOsv("SUSE:Linux Enterprise Server 15 SP5"))
        .isEqualTo("15.5");
    assertThat(Ecosystem.OPENSUSE.releaseOfOsv("openSUSE:Leap 15.5")).isEqualTo("15.5");
    // The distro qualifier in Syft's and Trivy's spellings, and the codename.
    assertThat(Ecosystem.DEBIAN.releaseOfDistro("debian-12.4")).isEqualTo("12");
    assertThat(Ecosystem.DEBIAN.releaseOfDistro("bookworm")).isEqualTo("12");
    assertThat(Ecosystem.UBUNTU.releaseOfDistro("ubuntu-22.04")).isEqualTo("22.04");
    assertThat(Ecosystem.UBUNTU.releaseOfDistro("jammy")).isEqualTo("22.04");
    assertThat(Ecosystem.ALPINE.releaseOfDistro("alpine-3.19.1")).isEqualTo("3.19");
    assertThat(Ecosystem.ALPINE.releaseOfDistro("3.19.1")).isEqualTo("3.19");
    assertThat(Ecosystem.RED_HAT.releaseOfDistro("rhel-9.4")).isEqualTo("9");
    assertThat(Ecosystem.SUSE.releaseOfDistro("sles-15.5")).isEqualTo("15.5");
  }

  @Test
  void pypiNamesAreNormalisedAsPep503Says() {
    ObjectNode doc = Advisories.document(Advisories.JINJA2);
    ((ObjectNode) doc.at("/affected/0/package")).put("name", "Jinja__2.Extra");
    assertThat(OsvReader.read(doc).affected().get(0).name()).isEqualTo("jinja-2-extra");
  }
}

package dev.slipway.scan.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.LicenseViolation;
import dev.slipway.events.ScanDone.Verdict;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.match.MatchedFinding;
import dev.slipway.scan.sbom.SbomComponent;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy gate on a fixed set of findings, expected outcomes worked out by hand. Today is
 * 2026-03-10; an ignore holds through its expiry day.
 *
 * <pre>
 * finding  severity  fixed  ignore (id or alias, expiry)          unfixed?
 * A        CRITICAL  1.1    -                                      no
 * B        HIGH      -      -                                      yes
 * C        HIGH      2.0    CVE-C (alias) until 2026-03-10: holds  no
 * D        HIGH      3.0    GHSA-D until 2026-03-09: expired       no
 * E        MEDIUM    1.0    -                                      no
 * F        LOW       -      -                                      yes
 * G        UNKNOWN   1.0    -                                      no   (gated as HIGH by default)
 * H        CRITICAL  -      GHSA-H until 2026-01-01: expired       yes
 *
 * counts (every finding, ignored ones too): CRITICAL 2 (A, H), HIGH 3 (B, C, D), MEDIUM 1,
 * LOW 1, UNKNOWN 1
 *
 * policy (failOn, unfixed, unknownSeverityAs)  left out     blocking        verdict
 * HIGH, ignore unfixed, HIGH                   B, C, F, H   A, D, G         FAILED
 * CRITICAL, report unfixed, HIGH               C            A, H            FAILED
 * CRITICAL, ignore unfixed, HIGH               B, C, F, H   A               FAILED
 * UNKNOWN, report unfixed, HIGH                C            A B D E F G H   FAILED
 * HIGH, ignore unfixed, HIGH, E+G only         -            G               FAILED
 * HIGH, ignore unfixed, LOW, E+G only          -            -               PASSED
 * CRITICAL, report unfixed, CRITICAL           C            A, G, H         FAILED
 * </pre>
 */
class PolicyGateTest {

  private static final LocalDate TODAY = LocalDate.of(2026, 3, 10);

  private static final List<MatchedFinding> ALL =
      List.of(
          finding("GHSA-A", Severity.CRITICAL, "1.1"),
          finding("GHSA-B", Severity.HIGH, null),
          finding("GHSA-C", Severity.HIGH, "2.0"),
          finding("GHSA-D", Severity.HIGH, "3.0"),
          finding("GHSA-E", Severity.MEDIUM, "1.0"),
          finding("GHSA-F", Severity.LOW, null),
          finding("GHSA-G", Severity.UNKNOWN, "1.0"),
          finding("GHSA-H", Severity.CRITICAL, null));

  private static final List<VulnerabilityIgnore> IGNORES =
      List.of(
          new VulnerabilityIgnore("CVE-C", "not reachable", LocalDate.of(2026, 3, 10)),
          new VulnerabilityIgnore("GHSA-D", "waiting for upstream", LocalDate.of(2026, 3, 9)),
          new VulnerabilityIgnore("GHSA-H", "accepted risk", LocalDate.of(2026, 1, 1)));

  static Stream<Arguments> table() {
    List<MatchedFinding> eAndG = List.of(ALL.get(4), ALL.get(6));
    return Stream.of(
        Arguments.of(Severity.HIGH, true, Severity.HIGH, ALL, "B C F H", "A D G", Verdict.FAILED),
        Arguments.of(Severity.CRITICAL, false, Severity.HIGH, ALL, "C", "A H", Verdict.FAILED),
        Arguments.of(Severity.CRITICAL, true, Severity.HIGH, ALL, "B C F H", "A", Verdict.FAILED),
        Arguments.of(
            Severity.UNKNOWN, false, Severity.HIGH, ALL, "C", "A B D E F G H", Verdict.FAILED),
        Arguments.of(Severity.HIGH, true, Severity.HIGH, eAndG, "", "G", Verdict.FAILED),
        Arguments.of(Severity.HIGH, true, Severity.LOW, eAndG, "", "", Verdict.PASSED),
        Arguments.of(
            Severity.CRITICAL, false, Severity.CRITICAL, ALL, "C", "A G H", Verdict.FAILED));
  }

  @ParameterizedTest(name = "failOn {0}, ignoreUnfixed {1}, unknown as {2}: blocking [{5}]")
  @MethodSource("table")
  void gateTable(
      Severity failOn,
      boolean ignoreUnfixed,
      Severity unknownSeverityAs,
      List<MatchedFinding> findings,
      String ignored,
      String blocking,
      Verdict verdict) {
    GateResult result =
        PolicyGate.evaluate(
            findings,
            List.of(),
            new ScanPolicy(failOn, ignoreUnfixed, List.of(), unknownSeverityAs, false),
            IGNORES,
            TODAY);

    assertThat(result.verdict()).isEqualTo(verdict);
    assertThat(ids(result, Finding::ignored)).isEqualTo(letters(ignored));
    assertThat(ids(result, Finding::blocking)).isEqualTo(letters(blocking));
    // Blocking findings come first, so a scan.done cut short still names them.
    assertThat(result.findings().subList(0, letters(blocking).size())).allMatch(Finding::blocking);
  }

  @Test
  void countsIncludeIgnoredFindingsAndEverySeverity() {
    GateResult result =
        PolicyGate.evaluate(ALL, List.of(), new ScanPolicy(Severity.HIGH, true), IGNORES, TODAY);
    assertThat(result.counts())
        .isEqualTo(
            Map.of(
                Severity.CRITICAL, 2,
                Severity.HIGH, 3,
                Severity.MEDIUM, 1,
                Severity.LOW, 1,
                Severity.UNKNOWN, 1));
    assertThat(result.reason())
        .startsWith(
            "3 findings at or above HIGH: GHSA-A (CVE-A) CRITICAL in pkg:npm/a@1.0, GHSA-D");
  }

  @Test
  void notesSayWhetherAnIgnoreHoldsOrExpired() {
    GateResult result =
        PolicyGate.evaluate(ALL, List.of(), new ScanPolicy(Severity.HIGH, true), IGNORES, TODAY);
    assertThat(note(result, "GHSA-C")).isEqualTo("ignored until 2026-03-10: not reachable");
    assertThat(note(result, "GHSA-D"))
        .isEqualTo("ignore expired on 2026-03-09 (waiting for upstream): no longer suppressed");
    assertThat(note(result, "GHSA-H"))
        .isEqualTo(
            "ignore expired on 2026-01-01 (accepted risk): no longer suppressed; no fixed version"
                + " known; the policy ignores unfixed findings");
    assertThat(note(result, "GHSA-A")).isNull();
    assertThat(note(result, "GHSA-G")).isEqualTo("the advisory states no severity; gated as HIGH");
  }

  @Test
  void anActiveIgnoreHoldsWhateverExpiredOnesNameTheFindingToo() {
    // Listed first, the expired ignore names the CVE; the active one names the GHSA id.
    List<VulnerabilityIgnore> ignores =
        List.of(
            new VulnerabilityIgnore("CVE-D", "old decision", LocalDate.of(2025, 1, 1)),
            new VulnerabilityIgnore("GHSA-D", "renewed: not reachable", LocalDate.of(2026, 6, 30)));
    GateResult result =
        PolicyGate.evaluate(
            List.of(ALL.get(3)), List.of(), new ScanPolicy(Severity.HIGH, false), ignores, TODAY);
    assertThat(result.verdict()).isEqualTo(Verdict.PASSED);
    assertThat(note(result, "GHSA-D"))
        .isEqualTo("ignored until 2026-06-30: renewed: not reachable");
  }

  @Test
  void anIgnoreNamingAnyAliasOfAMergedFindingCounts() {
    MatchedFinding merged =
        new MatchedFinding(
            "GHSA-j8r2-6x86-q33q",
            List.of("CVE-2023-32681", "PYSEC-2023-74"),
            "pkg:pypi/requests@2.30.0",
            "2.30.0",
            Severity.HIGH,
            "2.31.0");
    GateResult result =
        PolicyGate.evaluate(
            List.of(merged),
            List.of(),
            new ScanPolicy(Severity.HIGH, false),
            List.of(new VulnerabilityIgnore("PYSEC-2023-74", "proxy unused", TODAY)),
            TODAY);
    assertThat(result.verdict()).isEqualTo(Verdict.PASSED);
  }

  @Test
  void deniedLicenceFailsAScanWithoutFindings() {
    List<SbomComponent> components =
        List.of(
            component("pkg:npm/mit@1.0.0", "MIT"),
            component("pkg:npm/agpl@1.0.0", "AGPL-3.0-only"),
            component("pkg:npm/either@1.0.0", "MIT OR AGPL-3.0-only"),
            component("pkg:npm/both@1.0.0", "(GPL-2.0-only AND agpl-3.0-only)"),
            component("pkg:npm/with@1.0.0", "AGPL-3.0-only WITH Classpath-exception-2.0"));
    GateResult result =
        PolicyGate.evaluate(
            List.of(),
            components,
            new ScanPolicy(Severity.HIGH, true, List.of("AGPL-3.0-only")),
            List.of(),
            TODAY);
    assertThat(result.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(result.licenseViolations())
        .extracting(LicenseViolation::packageUrl)
        .containsExactly("pkg:npm/agpl@1.0.0", "pkg:npm/both@1.0.0", "pkg:npm/with@1.0.0");
    assertThat(result.reason()).startsWith("denied licence: AGPL-3.0-only in pkg:npm/agpl@1.0.0");
  }

  @Test
  void aComponentWithoutPurlIsStillJudgedByItsLicence() {
    GateResult result =
        PolicyGate.evaluate(
            List.of(),
            List.of(new SbomComponent(null, "vendored-blob", "2.1", List.of("AGPL-3.0"))),
            new ScanPolicy(Severity.HIGH, false, List.of("AGPL-3.0-only")),
            List.of(),
            TODAY);
    assertThat(result.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(result.licenseViolations())
        .containsExactly(new LicenseViolation(null, "AGPL-3.0", "vendored-blob@2.1"));
  }

  private static MatchedFinding finding(String id, Severity severity, String fixed) {
    String letter = id.substring(id.length() - 1);
    return new MatchedFinding(
        id,
        List.of("CVE-" + letter),
        "pkg:npm/" + letter.toLowerCase() + "@1.0",
        "1.0",
        severity,
        fixed);
  }

  private static SbomComponent component(String purl, String license) {
    return new SbomComponent(
        purl, purl.substring(purl.lastIndexOf('/') + 1), "1.0.0", List.of(license));
  }

  private static List<String> ids(GateResult result, java.util.function.Predicate<Finding> which) {
    return result.findings().stream()
        .filter(which)
        .map(f -> f.advisoryId().substring(5))
        .sorted()
        .toList();
  }

  private static List<String> letters(String spaced) {
    return spaced.isBlank() ? List.of() : Arrays.stream(spaced.split(" ")).sorted().toList();
  }

  private static String note(GateResult result, String id) {
    return result.findings().stream()
        .filter(f -> f.advisoryId().equals(id))
        .findFirst()
        .orElseThrow()
        .note();
  }
}

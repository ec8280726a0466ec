package dev.slipway.events;

import java.util.List;
import java.util.Map;

/**
 * Payload of {@code scan.done}: the image's SBOM checked against the vulnerability database and the
 * application's policy.
 *
 * @param verdict whether the policy lets the image go on
 * @param counts findings per severity, ignored ones included
 * @param findings the findings; when there are more than fit an event, the blocking ones first and
 *     {@code findingsRef} names where all are
 * @param policy the platform policy applied
 * @param dbVersion version of the vulnerability database used (the newest {@code modified} of it)
 * @param imageDigest the scanned image
 * @param scanId scan-service's id of this scan
 * @param image repository reference of the scanned image
 * @param ignores the repository's ignores as they were applied
 * @param licenseViolations components whose licence the policy denies
 * @param findingsRef where every finding can be read when {@code findings} is cut short; else null
 * @param reason why the verdict is what it is, for a human
 */
public record ScanDone(
    Verdict verdict,
    Map<Severity, Integer> counts,
    List<Finding> findings,
    ScanPolicy policy,
    String dbVersion,
    String imageDigest,
    String scanId,
    String image,
    List<VulnerabilityIgnore> ignores,
    List<LicenseViolation> licenseViolations,
    String findingsRef,
    String reason) {

  public ScanDone {
    Require.present(verdict, "verdict");
    counts = Map.copyOf(Require.present(counts, "counts"));
    findings = List.copyOf(Require.noNulls(findings, "findings"));
    Require.present(policy, "policy");
    Require.text(dbVersion, "dbVersion");
    Require.text(imageDigest, "imageDigest");
    ignores = ignores == null ? List.of() : List.copyOf(Require.noNulls(ignores, "ignores"));
    licenseViolations =
        licenseViolations == null
            ? List.of()
            : List.copyOf(Require.noNulls(licenseViolations, "licenseViolations"));
  }

  /** A verdict with no scan id, ignores, licence violations or reason. */
  public ScanDone(
      Verdict verdict,
      Map<Severity, Integer> counts,
      List<Finding> findings,
      ScanPolicy policy,
      String dbVersion,
      String imageDigest) {
    this(
        verdict,
        counts,
        findings,
        policy,
        dbVersion,
        imageDigest,
        null,
        null,
        List.of(),
        List.of(),
        null,
        null);
  }

  /**
   * Outcome of the policy gate: PASSED lets the image go on, FAILED stops it for what was found,
   * ERROR stops it because the scan could not look (no advisory database, or its import failed).
   */
  public enum Verdict {
    PASSED,
    FAILED,
    ERROR
  }

  /**
   * One vulnerable package in the image.
   *
   * @param advisoryId OSV id, e.g. {@code GHSA-...} or {@code CVE-...}
   * @param packageUrl purl of the affected component
   * @param version installed version
   * @param severity severity of the advisory
   * @param fixedVersion first fixed version, null when none is known
   * @param ignored whether an ignore rule or the policy left it out of the verdict
   * @param aliases the advisory's other ids (CVE, GHSA, PYSEC, ...), merged into this finding
   * @param blocking whether this finding failed the gate
   * @param note why it was ignored, or that an ignore expired, for a human; null when nothing to
   *     say
   */
  public record Finding(
      String advisoryId,
      String packageUrl,
      String version,
      Severity severity,
      String fixedVersion,
      boolean ignored,
      List<String> aliases,
      boolean blocking,
      String note) {
    public Finding {
      Require.text(advisoryId, "advisoryId");
      Require.text(packageUrl, "packageUrl");
      Require.text(version, "version");
      Require.present(severity, "severity");
      aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    /** A finding with no aliases that blocks nothing. */
    public Finding(
        String advisoryId,
        String packageUrl,
        String version,
        Severity severity,
        String fixedVersion,
        boolean ignored) {
      this(
          advisoryId, packageUrl, version, severity, fixedVersion, ignored, List.of(), false, null);
    }
  }

  /**
   * A component under a licence the policy denies.
   *
   * @param packageUrl purl of the component; null for a component the SBOM gives no purl
   * @param license the SPDX id (or expression) that is denied
   * @param component how the SBOM names the component: its purl, else {@code name@version}
   */
  public record LicenseViolation(String packageUrl, String license, String component) {
    public LicenseViolation {
      Require.text(license, "license");
      component = component == null ? packageUrl : component;
      Require.text(component, "component");
    }

    /** A violation of a component with a purl. */
    public LicenseViolation(String packageUrl, String license) {
      this(packageUrl, license, packageUrl);
    }
  }
}

package dev.slipway.events;

import java.util.List;
import java.util.Map;

/**
 * Payload of {@code scan.done}: the image's SBOM checked against the vulnerability database.
 *
 * @param verdict whether the policy lets the image go on
 * @param counts findings per severity
 * @param findings every finding, ignored ones included
 * @param policy the policy applied
 * @param dbVersion version of the vulnerability database used
 * @param imageDigest the scanned image
 */
public record ScanDone(
    Verdict verdict,
    Map<Severity, Integer> counts,
    List<Finding> findings,
    ScanPolicy policy,
    String dbVersion,
    String imageDigest) {

  public ScanDone {
    Require.present(verdict, "verdict");
    counts = Map.copyOf(Require.present(counts, "counts"));
    findings = List.copyOf(Require.noNulls(findings, "findings"));
    Require.present(policy, "policy");
    Require.text(dbVersion, "dbVersion");
    Require.text(imageDigest, "imageDigest");
  }

  /** Outcome of the policy gate. */
  public enum Verdict {
    PASSED,
    FAILED
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
   */
  public record Finding(
      String advisoryId,
      String packageUrl,
      String version,
      Severity severity,
      String fixedVersion,
      boolean ignored) {
    public Finding {
      Require.text(advisoryId, "advisoryId");
      Require.text(packageUrl, "packageUrl");
      Require.text(version, "version");
      Require.present(severity, "severity");
    }
  }
}

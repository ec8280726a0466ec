package dev.slipway.scan.policy;

import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.LicenseViolation;
import dev.slipway.events.ScanDone.Verdict;
import dev.slipway.events.Severity;
import java.util.List;
import java.util.Map;

/**
 * What the policy gate decided about one scan.
 *
 * @param verdict PASSED or FAILED
 * @param counts findings per severity, ignored ones included, every severity present
 * @param findings every finding, blocking ones first, then by severity
 * @param licenseViolations components under a denied licence
 * @param reason why, for a human
 */
public record GateResult(
    Verdict verdict,
    Map<Severity, Integer> counts,
    List<Finding> findings,
    List<LicenseViolation> licenseViolations,
    String reason) {

  public GateResult {
    counts = Map.copyOf(counts);
    findings = List.copyOf(findings);
    licenseViolations = List.copyOf(licenseViolations);
  }
}

package dev.slipway.scan;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.LicenseViolation;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.sbom.Unmatched;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * One scan as the API shows it.
 *
 * @param scanId scan-service's id of the scan
 * @param kind BUILD or ADHOC
 * @param application the application the SBOM belongs to
 * @param runId the pipeline run; null for an ad-hoc scan
 * @param commitSha the commit built; null for an ad-hoc scan
 * @param image repository reference of the image; null for an ad-hoc scan
 * @param imageDigest the scanned image; null for an ad-hoc scan
 * @param sbomRef where the SBOM was read; null for an ad-hoc scan
 * @param requestedBy the service or user that asked
 * @param status PENDING, SCANNING, PASSED, FAILED or ERROR
 * @param reason why the verdict is what it is
 * @param policy the policy applied
 * @param ignores the ignores applied
 * @param dbVersion the database version matched against
 * @param counts findings per severity
 * @param components components matched (with a purl of a known ecosystem)
 * @param unmatched components that could not be matched
 * @param requestedAt when the scan was asked for
 * @param finishedAt when its verdict was reached
 * @param findings every finding; only in the detail view
 * @param licenseViolations components under a denied licence; only in the detail view
 * @param unmatchedComponents each component that could not be matched and why (no purl, a type no
 *     advisory database covers, a version its ecosystem cannot read); only in the detail view
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Scan(
    String scanId,
    ScanKind kind,
    String application,
    String runId,
    String commitSha,
    String image,
    String imageDigest,
    String sbomRef,
    String requestedBy,
    ScanStatus status,
    String reason,
    ScanPolicy policy,
    List<VulnerabilityIgnore> ignores,
    String dbVersion,
    Map<Severity, Integer> counts,
    Integer components,
    Integer unmatched,
    OffsetDateTime requestedAt,
    OffsetDateTime finishedAt,
    List<Finding> findings,
    List<LicenseViolation> licenseViolations,
    List<Unmatched> unmatchedComponents) {

  /** This scan without findings and licence violations, for lists. */
  public Scan summary() {
    return new Scan(
        scanId,
        kind,
        application,
        runId,
        commitSha,
        image,
        imageDigest,
        sbomRef,
        requestedBy,
        status,
        reason,
        policy,
        ignores,
        dbVersion,
        counts,
        components,
        unmatched,
        requestedAt,
        finishedAt,
        null,
        null,
        null);
  }
}

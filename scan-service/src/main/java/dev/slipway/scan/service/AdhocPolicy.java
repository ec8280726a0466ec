package dev.slipway.scan.service;

import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import java.util.List;

/**
 * The policy part of an ad-hoc scan request; every field optional.
 *
 * @param failOn the lowest failing severity (default HIGH)
 * @param ignoreUnfixed whether findings without a fix are left out (default false)
 * @param deniedLicenses SPDX ids that fail the scan (default none)
 * @param ignores ignores as a repository's {@code .slipway.yaml} states them (default none)
 * @param unknownSeverityAs what an advisory without a severity is gated as (default HIGH)
 * @param allowWithoutDatabase whether the scan may pass without an advisory database (default
 *     false: it ends ERROR)
 */
public record AdhocPolicy(
    Severity failOn,
    Boolean ignoreUnfixed,
    List<String> deniedLicenses,
    List<VulnerabilityIgnore> ignores,
    Severity unknownSeverityAs,
    Boolean allowWithoutDatabase) {

  /** The default: fail on HIGH, report unfixed findings, deny no licence, fail closed. */
  public static final AdhocPolicy DEFAULT = new AdhocPolicy(null, null, null, null, null, null);

  public AdhocPolicy {
    ignores = ignores == null ? List.of() : List.copyOf(ignores);
  }

  /** The scan policy this asks for. */
  public ScanPolicy policy() {
    return new ScanPolicy(
        failOn == null ? Severity.HIGH : failOn,
        ignoreUnfixed != null && ignoreUnfixed,
        deniedLicenses,
        unknownSeverityAs,
        allowWithoutDatabase != null && allowWithoutDatabase);
  }
}

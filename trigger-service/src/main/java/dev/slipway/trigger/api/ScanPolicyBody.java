package dev.slipway.trigger.api;

import java.util.List;

/**
 * The vulnerability and licence gate, as the API reads and writes it.
 *
 * @param failOn lowest severity that fails a scan: low, medium, high or critical
 * @param ignoreUnfixed whether findings without a fixed version are left out (default false)
 * @param deniedLicenses SPDX licence ids (e.g. {@code AGPL-3.0-only}, {@code LicenseRef-acme})
 *     whose presence fails the scan; at most 100 (default none)
 * @param unknownSeverityAs the severity an advisory that states none is gated as: low, medium, high
 *     or critical (default high)
 * @param allowWithoutDatabase whether a scan may pass when scan-service has no advisory database
 *     (none imported, or its import failed); default false, so such a scan ends ERROR and nothing
 *     is deployed
 */
public record ScanPolicyBody(
    String failOn,
    Boolean ignoreUnfixed,
    List<String> deniedLicenses,
    String unknownSeverityAs,
    Boolean allowWithoutDatabase) {

  /** A policy body with the fail-closed defaults. */
  public ScanPolicyBody(String failOn, Boolean ignoreUnfixed, List<String> deniedLicenses) {
    this(failOn, ignoreUnfixed, deniedLicenses, null, null);
  }
}

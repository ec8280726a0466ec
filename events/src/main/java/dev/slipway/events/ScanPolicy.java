package dev.slipway.events;

import java.util.List;

/**
 * The vulnerability and licence gate of an application.
 *
 * @param failOn the lowest severity that fails the scan
 * @param ignoreUnfixed whether findings without a fixed version are left out of the verdict
 * @param deniedLicenses SPDX licence ids (e.g. {@code AGPL-3.0-only}) whose presence fails the scan
 * @param unknownSeverityAs the severity an advisory that states none is gated as (default HIGH):
 *     many Go, PyPI and RustSec advisories carry no severity, and must not pass as the lowest
 * @param allowWithoutDatabase whether a scan may pass when there is no advisory database (none
 *     imported, or its import failed): false by default, so such a scan ends ERROR and nothing is
 *     deployed; an explicit opt-out per application
 */
public record ScanPolicy(
    Severity failOn,
    boolean ignoreUnfixed,
    List<String> deniedLicenses,
    Severity unknownSeverityAs,
    boolean allowWithoutDatabase) {

  /** What an advisory without a severity is gated as unless the policy says otherwise. */
  public static final Severity DEFAULT_UNKNOWN_SEVERITY_AS = Severity.HIGH;

  public ScanPolicy {
    Require.present(failOn, "failOn");
    deniedLicenses =
        deniedLicenses == null
            ? List.of()
            : List.copyOf(Require.noNulls(deniedLicenses, "deniedLicenses"));
    unknownSeverityAs = unknownSeverityAs == null ? DEFAULT_UNKNOWN_SEVERITY_AS : unknownSeverityAs;
  }

  /** A policy with the default handling of unknown severities and a missing database. */
  public ScanPolicy(Severity failOn, boolean ignoreUnfixed, List<String> deniedLicenses) {
    this(failOn, ignoreUnfixed, deniedLicenses, null, false);
  }

  /** A policy that denies no licence. */
  public ScanPolicy(Severity failOn, boolean ignoreUnfixed) {
    this(failOn, ignoreUnfixed, List.of());
  }
}

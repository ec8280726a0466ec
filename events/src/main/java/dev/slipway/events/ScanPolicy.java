package dev.slipway.events;

import java.util.List;

/**
 * The vulnerability and licence gate of an application.
 *
 * @param failOn the lowest severity that fails the scan
 * @param ignoreUnfixed whether findings without a fixed version are left out of the verdict
 * @param deniedLicenses SPDX licence ids (e.g. {@code AGPL-3.0-only}) whose presence fails the scan
 */
public record ScanPolicy(Severity failOn, boolean ignoreUnfixed, List<String> deniedLicenses) {

  public ScanPolicy {
    Require.present(failOn, "failOn");
    deniedLicenses =
        deniedLicenses == null
            ? List.of()
            : List.copyOf(Require.noNulls(deniedLicenses, "deniedLicenses"));
  }

  /** A policy that denies no licence. */
  public ScanPolicy(Severity failOn, boolean ignoreUnfixed) {
    this(failOn, ignoreUnfixed, List.of());
  }
}

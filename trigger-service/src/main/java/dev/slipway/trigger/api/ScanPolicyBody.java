package dev.slipway.trigger.api;

import java.util.List;

/**
 * The vulnerability and licence gate, as the API reads and writes it.
 *
 * @param failOn lowest severity that fails a scan: low, medium, high or critical
 * @param ignoreUnfixed whether findings without a fixed version are left out (default false)
 * @param deniedLicenses SPDX licence ids (e.g. {@code AGPL-3.0-only}, {@code LicenseRef-acme})
 *     whose presence fails the scan; at most 100 (default none)
 */
public record ScanPolicyBody(String failOn, Boolean ignoreUnfixed, List<String> deniedLicenses) {}

package dev.slipway.trigger.api;

/**
 * The vulnerability gate, as the API reads and writes it.
 *
 * @param failOn lowest severity that fails a scan: low, medium, high or critical
 * @param ignoreUnfixed whether findings without a fixed version are left out (default false)
 */
public record ScanPolicyBody(String failOn, Boolean ignoreUnfixed) {}

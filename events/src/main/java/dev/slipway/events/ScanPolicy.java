package dev.slipway.events;

/**
 * The vulnerability gate of an application.
 *
 * @param failOn the lowest severity that fails the scan
 * @param ignoreUnfixed whether findings without a fixed version are left out of the verdict
 */
public record ScanPolicy(Severity failOn, boolean ignoreUnfixed) {

  public ScanPolicy {
    Require.present(failOn, "failOn");
  }
}

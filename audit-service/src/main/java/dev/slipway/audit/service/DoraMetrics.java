package dev.slipway.audit.service;

import java.time.OffsetDateTime;

/**
 * The four DORA metrics of one environment (and optionally one application) over a window; the
 * definitions are in the service README.
 *
 * @param application the application, or null for all
 * @param environment the environment deployed to
 * @param from window start, inclusive
 * @param to window end, exclusive
 * @param deploymentFrequency successful deploys in the window
 * @param leadTimeForChanges commit to successful deploy
 * @param changeFailureRate failed deploys over all deploys
 * @param timeToRestore failed deploy to the next successful deploy
 */
public record DoraMetrics(
    String application,
    String environment,
    OffsetDateTime from,
    OffsetDateTime to,
    DeploymentFrequency deploymentFrequency,
    Durations leadTimeForChanges,
    ChangeFailureRate changeFailureRate,
    Restores timeToRestore) {

  /**
   * @param deployments successful deploys in the window
   * @param perDay deployments divided by the window length in days
   */
  public record DeploymentFrequency(long deployments, double perDay) {}

  /**
   * @param changes how many durations were measured
   * @param medianSeconds the median, null when nothing was measured
   * @param p90Seconds the 90th percentile, null when nothing was measured
   */
  public record Durations(long changes, Double medianSeconds, Double p90Seconds) {}

  /**
   * @param deployments deploys in the window, each counted once
   * @param failed those that failed or were rolled back
   * @param rate failed over deployments, null when there was no deploy
   */
  public record ChangeFailureRate(long deployments, long failed, Double rate) {}

  /**
   * @param restored failures that a later successful deploy restored
   * @param open failures not restored yet
   * @param medianSeconds median time to restore, null when nothing was restored
   * @param p90Seconds 90th percentile, null when nothing was restored
   */
  public record Restores(long restored, long open, Double medianSeconds, Double p90Seconds) {}
}

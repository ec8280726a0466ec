package dev.slipway.audit.dora;

import java.time.OffsetDateTime;

/**
 * The four DORA metrics of one environment (and optionally one application) over a window; the
 * definitions are in the service README.
 *
 * @param application the application, or null for all (that the caller may see)
 * @param environment the environment deployed to
 * @param from window start, inclusive
 * @param to window end, exclusive
 * @param deploymentFrequency successful deployments of changes in the window
 * @param leadTimeForChanges push to first successful deployment, per pushed commit
 * @param changeFailureRate deployments that needed remediation over deployments
 * @param timeToRestore failed deployment to the rollout that restored service
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
   * @param deployments successful deployments of changes in the window (rollbacks excluded)
   * @param perDay deployments divided by the window length in days
   */
  public record DeploymentFrequency(long deployments, double perDay) {}

  /**
   * @param changes how many pushed commits were first deployed in the window
   * @param medianSeconds the median, null when nothing was measured
   * @param p90Seconds the 90th percentile, null when nothing was measured
   */
  public record Durations(long changes, Double medianSeconds, Double p90Seconds) {}

  /**
   * @param deployments deployments of changes that served traffic in the window (succeeded, or
   *     rolled back automatically); rollouts that never served traffic are not deployments
   * @param failed those that needed remediation: rolled back automatically, or followed by a
   *     rollback requested for them
   * @param rate failed over deployments, null when there was no deployment
   */
  public record ChangeFailureRate(long deployments, long failed, Double rate) {}

  /**
   * @param restored failed deployments of the window whose service was restored
   * @param open failed deployments of the window not restored yet
   * @param medianSeconds median time to restore, null when nothing was restored
   * @param p90Seconds 90th percentile, null when nothing was restored
   */
  public record Restores(long restored, long open, Double medianSeconds, Double p90Seconds) {}
}

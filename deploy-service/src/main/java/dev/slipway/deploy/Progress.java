package dev.slipway.deploy;

import java.time.OffsetDateTime;

/**
 * Where a running rollout is in its state machine: everything a worker needs to go on after a
 * restart, kept in the rollout's row.
 *
 * @param phase the phase
 * @param step the canary step (0-based) in CANARY
 * @param applied whether this phase's objects were applied (a resumed worker applies again only if
 *     not)
 * @param readyAt when the canary of this step became ready (analysis samples count from here)
 * @param samples analysis samples taken at this step
 * @param sampleFailures of those, how many failed
 * @param phaseSince when this phase (or step) began; its timeout counts from here
 * @param failure the check that failed, once one did (the reason of a rollback or cleanup)
 * @param clusterFailures consecutive failures to reach the cluster
 */
public record Progress(
    RolloutPhase phase,
    int step,
    boolean applied,
    OffsetDateTime readyAt,
    int samples,
    int sampleFailures,
    OffsetDateTime phaseSince,
    String failure,
    int clusterFailures) {

  /** A rollout that has not started. */
  public static Progress queued() {
    return new Progress(RolloutPhase.QUEUED, 0, false, null, 0, 0, null, null, 0);
  }

  /** Entering {@code next} at {@code step}: nothing applied there yet. */
  public Progress enter(RolloutPhase next, int nextStep, OffsetDateTime now) {
    return new Progress(next, nextStep, false, null, 0, 0, now, failure, 0);
  }

  /** A check failed: record why, and go on in {@code next} (rolling back or cleaning up). */
  public Progress failing(String why, RolloutPhase next, OffsetDateTime now) {
    return new Progress(next, step, false, null, 0, 0, now, why, 0);
  }

  /** This phase's objects are applied. */
  public Progress markApplied() {
    return new Progress(
        phase, step, true, readyAt, samples, sampleFailures, phaseSince, failure, 0);
  }

  /** The canary of this step became ready at {@code now}. */
  public Progress markReady(OffsetDateTime now) {
    return new Progress(phase, step, applied, now, samples, sampleFailures, phaseSince, failure, 0);
  }

  /** One more analysis sample, failed or not. */
  public Progress sampled(boolean failed) {
    return new Progress(
        phase,
        step,
        applied,
        readyAt,
        samples + 1,
        sampleFailures + (failed ? 1 : 0),
        phaseSince,
        failure,
        0);
  }

  /** The same progress with its clocks moved on by {@code paused}, e.g. after a pause. */
  public Progress shifted(java.time.Duration paused) {
    return new Progress(
        phase,
        step,
        applied,
        readyAt == null ? null : readyAt.plus(paused),
        samples,
        sampleFailures,
        phaseSince == null ? null : phaseSince.plus(paused),
        failure,
        clusterFailures);
  }

  /** One more consecutive failure to reach the cluster. */
  public Progress clusterFailed() {
    return new Progress(
        phase,
        step,
        applied,
        readyAt,
        samples,
        sampleFailures,
        phaseSince,
        failure,
        clusterFailures + 1);
  }

  /** The cluster answered again. */
  public Progress clusterAnswered() {
    return new Progress(
        phase, step, applied, readyAt, samples, sampleFailures, phaseSince, failure, 0);
  }
}

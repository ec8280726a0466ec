package dev.slipway.deploy;

/** The steps of a rollout's state machine (see DESIGN.md beside this class). */
public enum RolloutPhase {
  /** Recorded; nothing done in the cluster yet. */
  QUEUED,
  /** Rolling strategy (and first releases): the Deployment is applied, waiting until complete. */
  PROGRESSING,
  /** Canary strategy: at step {@code step}, scaling, waiting for readiness, then analysing. */
  CANARY,
  /** Canary passed every step: the stable Deployment takes the new digest, then the canary goes. */
  PROMOTING,
  /** A check failed: the last successful revision is applied again and waited for. */
  ROLLING_BACK,
  /** A check failed and nothing succeeded before: what this rollout applied is removed. */
  CLEANING_UP,
  /** Finished; the rollout's status says how. */
  DONE
}

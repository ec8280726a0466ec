package dev.slipway.deploy;

import dev.slipway.work.queue.WorkState;

/**
 * Where a rollout stands as a whole, as a state of work/'s leased queue; the phase within a running
 * one is its {@code phase}.
 */
public enum RolloutStatus implements WorkState {
  /** Recorded, waiting for a worker (and for an older rollout of its environment to finish). */
  QUEUED,
  /** A worker is moving it through its phases. */
  RUNNING,
  /** The requested digest serves the environment. */
  SUCCEEDED,
  /** It did not complete and nothing could be restored (or there was nothing to restore). */
  FAILED,
  /** It did not complete and the last successful revision serves again. */
  ROLLED_BACK;

  /** Whether the rollout is over. */
  @Override
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == ROLLED_BACK;
  }
}

package dev.slipway.work.queue;

/**
 * The state of a row of a leased work queue. Every queue says {@code QUEUED} for work no worker
 * holds yet and {@code RUNNING} for work a worker holds; each adds the final states of its domain
 * (a build {@code SUCCEEDED}, a scan {@code PASSED}, a rollout {@code ROLLED_BACK}).
 */
public interface WorkState {

  /** Whether the work is over: no worker claims it again and its outcome stands. */
  boolean isFinal();
}

package dev.slipway.build.executor;

import dev.slipway.build.log.BuildLog;

/**
 * Runs a build's steps in order, each with its timeout, streaming their output to the build log,
 * stopping at the first that fails, and stopping everything it started on cancel or timeout.
 */
public interface StepExecutor {

  /** Runs the steps; returns only when nothing it started is left running. */
  StepsResult run(
      StepsRequest request, BuildLog log, StepListener listener, Cancellation cancellation);
}

package dev.slipway.build.executor;

/** Told when each step starts and ends, so the build's record shows steps and timings live. */
public interface StepListener {

  /** Step {@code position} started. */
  void started(int position, String name);

  /** Step {@code position} ended; {@code exitCode} is null when no process exited. */
  void finished(int position, String name, StepStatus status, Integer exitCode, long durationMs);

  /** How a step ended. */
  enum StepStatus {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED
  }
}

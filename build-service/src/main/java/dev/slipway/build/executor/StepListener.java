package dev.slipway.build.executor;

/** Told when each step starts and ends, so the build's record shows steps and timings live. */
public interface StepListener {

  /** Step {@code position} started. */
  void started(int position, String name);

  /** Step {@code position} ended; {@code exitCode} is null when no process exited. */
  void finished(int position, String name, StepStatus status, Integer exitCode, long durationMs);

  /**
   * The executor's own work around the steps took {@code ms} (its name fixed by the executor:
   * {@code steps.toolchain}, {@code steps.network}, ...), for the build's phase timings.
   */
  default void took(String phase, long ms) {}

  /** How a step ended. */
  enum StepStatus {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED
  }
}

package dev.slipway.build.executor;

/**
 * How the steps ended.
 *
 * @param outcome success, or why not
 * @param step the step that did not succeed, null on success
 * @param exitCode its exit code, null when no process exited
 * @param reason human-readable cause, null on success
 * @param toolchain the toolchain image the steps ran in, pinned ({@code name@sha256:...} or its
 *     local id), null when none was resolved
 */
public record StepsResult(
    Outcome outcome, String step, Integer exitCode, String reason, String toolchain) {

  /** How the steps ended. */
  public enum Outcome {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED
  }

  /** Every step succeeded in {@code toolchain}. */
  public static StepsResult succeeded(String toolchain) {
    return new StepsResult(Outcome.SUCCEEDED, null, null, null, toolchain);
  }

  public static StepsResult failed(String step, Integer exitCode, String reason) {
    return new StepsResult(Outcome.FAILED, step, exitCode, reason, null);
  }

  public static StepsResult timedOut(String step, String reason) {
    return new StepsResult(Outcome.TIMED_OUT, step, null, reason, null);
  }

  public static StepsResult cancelled(String step, String reason) {
    return new StepsResult(Outcome.CANCELLED, step, null, reason, null);
  }

  /** This result, naming the toolchain the steps ran in. */
  public StepsResult in(String toolchain) {
    return new StepsResult(outcome, step, exitCode, reason, toolchain);
  }
}

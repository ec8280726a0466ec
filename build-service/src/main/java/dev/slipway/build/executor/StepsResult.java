package dev.slipway.build.executor;

/**
 * How the steps ended.
 *
 * @param outcome success, or why not
 * @param step the step that did not succeed, null on success
 * @param exitCode its exit code, null when no process exited
 * @param reason human-readable cause, null on success
 */
public record StepsResult(Outcome outcome, String step, Integer exitCode, String reason) {

  /** Every step succeeded. */
  public static final StepsResult SUCCEEDED = new StepsResult(Outcome.SUCCEEDED, null, null, null);

  /** How the steps ended. */
  public enum Outcome {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED
  }

  public static StepsResult failed(String step, Integer exitCode, String reason) {
    return new StepsResult(Outcome.FAILED, step, exitCode, reason);
  }

  public static StepsResult timedOut(String step, String reason) {
    return new StepsResult(Outcome.TIMED_OUT, step, null, reason);
  }

  public static StepsResult cancelled(String step, String reason) {
    return new StepsResult(Outcome.CANCELLED, step, null, reason);
  }
}

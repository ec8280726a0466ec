package dev.slipway.build.stage;

import dev.slipway.build.BuildStatus;

/**
 * Ends a build at a stage: how ({@code status}), where ({@code step}: the stage, or the step that
 * failed), the exit code of a process that exited, and why, in words a user can act on.
 */
public final class StageFailure extends RuntimeException {

  private final BuildStatus status;
  private final String step;
  private final Integer exitCode;

  public StageFailure(BuildStatus status, String step, Integer exitCode, String reason) {
    super(reason, null, false, false);
    if (!status.isFinal() || status == BuildStatus.SUCCEEDED) {
      throw new IllegalArgumentException("a failure ends a build unsuccessfully, not " + status);
    }
    this.status = status;
    this.step = step;
    this.exitCode = exitCode;
  }

  /** The build FAILED at {@code step} for {@code reason}. */
  public static StageFailure failed(String step, String reason) {
    return new StageFailure(BuildStatus.FAILED, step, null, reason);
  }

  public BuildStatus status() {
    return status;
  }

  public String step() {
    return step;
  }

  public Integer exitCode() {
    return exitCode;
  }

  public String reason() {
    return getMessage();
  }
}

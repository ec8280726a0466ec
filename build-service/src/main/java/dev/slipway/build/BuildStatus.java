package dev.slipway.build;

import dev.slipway.events.BuildDone;

/** Where a build is: waiting for a worker, running, or ended one of four ways. */
public enum BuildStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  TIMED_OUT;

  /** Whether the build ended. */
  public boolean isFinal() {
    return this != QUEUED && this != RUNNING;
  }

  /** The status a build.done reports; only for an ended build. */
  public BuildDone.BuildStatus toEvent() {
    return switch (this) {
      case SUCCEEDED -> BuildDone.BuildStatus.SUCCEEDED;
      case FAILED -> BuildDone.BuildStatus.FAILED;
      case CANCELLED -> BuildDone.BuildStatus.CANCELLED;
      case TIMED_OUT -> BuildDone.BuildStatus.TIMED_OUT;
      default -> throw new IllegalStateException(this + " has not ended");
    };
  }
}

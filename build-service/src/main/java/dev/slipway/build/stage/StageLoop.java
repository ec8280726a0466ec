package dev.slipway.build.stage;

import dev.slipway.build.BuildOutcome;
import dev.slipway.build.BuildStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs a build's stages in order, as Tekton runs a Task's steps: before each, the cancel check;
 * around each, its timing and its deadline (the build's, or the stage's own limit when it is
 * shorter: past it the build's cancellation is fired as a timeout, which stops whatever the stage
 * started); after a failure, the outcome that names the stage or step. A stage's unexpected
 * exception is a bug: it propagates.
 */
public final class StageLoop {

  private static final Logger LOG = Logger.getLogger(StageLoop.class);

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "build-stage-deadline");
            t.setDaemon(true);
            return t;
          });

  private final List<Stage> stages;

  public StageLoop(List<Stage> stages) {
    this.stages = List.copyOf(stages);
  }

  /** The stages, in the order they run. */
  public List<Stage> stages() {
    return stages;
  }

  /** Runs the stages; returns how the build ended. */
  public BuildOutcome run(BuildContext build) {
    for (Stage stage : stages) {
      if (build.cancellation().isCancelled()) {
        return build.failed(stopped(build, stage.name()));
      }
      if (!stage.appliesTo(build)) {
        continue;
      }
      Instant deadline = deadlineOf(stage, build);
      if (!deadline.isAfter(Instant.now())) {
        return build.failed(
            new StageFailure(
                BuildStatus.TIMED_OUT,
                stage.name(),
                null,
                "build timed out before " + stage.name()));
      }
      build.stageDeadline(deadline);
      long started = System.nanoTime();
      ScheduledFuture<?> watchdog =
          WATCHDOG.schedule(
              () -> build.cancellation().timeOut(timeoutReason(stage, build, started)),
              Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
              TimeUnit.MILLISECONDS);
      try {
        stage.run(build);
      } catch (StageFailure failure) {
        return build.failed(
            build.cancellation().isCancelled() ? stopped(build, failure.step()) : failure);
      } finally {
        watchdog.cancel(false);
        long wall = (System.nanoTime() - started) / 1_000_000;
        if (stage.timed()) {
          build.took(stage.name(), wall);
        }
        build.phases().took(stage.name(), wall);
        LOG.debugf("build %s: stage %s done", build.buildId(), stage.name());
      }
      if (build.cancellation().isCancelled()) {
        return build.failed(stopped(build, stage.name()));
      }
    }
    return build.succeeded();
  }

  /** The outcome of a build that ended before its stages could run. */
  public BuildOutcome fail(BuildContext build, StageFailure failure) {
    return build.failed(failure);
  }

  private static Instant deadlineOf(Stage stage, BuildContext build) {
    Instant deadline = build.deadline();
    if (stage.limit().isPresent()) {
      Instant own = Instant.now().plus(stage.limit().get());
      if (own.isBefore(deadline)) {
        return own;
      }
    }
    return deadline;
  }

  private static String timeoutReason(Stage stage, BuildContext build, long startedNanos) {
    long ms = (System.nanoTime() - startedNanos) / 1_000_000;
    boolean own =
        stage.limit().isPresent()
            && Instant.now().plus(Duration.ofSeconds(1)).isBefore(build.deadline());
    return own
        ? stage.name() + " stage over its limit of " + Durations.human(stage.limit().get())
        : "build timed out; " + stage.name() + " stopped after " + Durations.human(ms);
  }

  /** The failure of a build that was stopped during or before {@code step}. */
  private static StageFailure stopped(BuildContext build, String step) {
    String timeout = build.cancellation().timeoutReason();
    if (timeout != null) {
      return new StageFailure(BuildStatus.TIMED_OUT, step, null, timeout);
    }
    String limit = build.cancellation().limitReason();
    if (limit != null) {
      return new StageFailure(BuildStatus.FAILED, step, null, limit);
    }
    return new StageFailure(
        BuildStatus.CANCELLED, step, null, "cancelled by " + build.cancellation().requestedBy());
  }
}

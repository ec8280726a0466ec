package dev.slipway.build;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * One attempt at building a run's commit, as the API shows it.
 *
 * @param id the build id (one attempt of the run)
 * @param runId the pipeline run
 * @param attempt 1 for the build commit.received asked for, then one more per retry
 * @param application the application built
 * @param commitSha the commit built
 * @param ref the Git ref pushed
 * @param repoUrl the application's repository
 * @param status where the build is
 * @param requestedBy who asked for a retry; null for the first attempt
 * @param queuedAt when it was queued
 * @param startedAt when a worker last claimed it
 * @param finishedAt when it ended
 * @param durationMs from start to end
 * @param image the pushed image, on success
 * @param sbomRef the SBOM artifact in the registry, on success
 * @param tests test counts from JUnit XML reports
 * @param failure why it did not succeed
 * @param stageDurationsMs wall time per stage and step
 * @param cancelRequestedBy who asked to cancel it
 * @param steps the steps with their status and timings; only on a single build
 * @param logRef where its log is served
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Build(
    String id,
    String runId,
    int attempt,
    String application,
    String commitSha,
    String ref,
    String repoUrl,
    BuildStatus status,
    String requestedBy,
    OffsetDateTime queuedAt,
    OffsetDateTime startedAt,
    OffsetDateTime finishedAt,
    Long durationMs,
    ImageRef image,
    String sbomRef,
    TestCounts tests,
    Failure failure,
    Map<String, Long> stageDurationsMs,
    String cancelRequestedBy,
    List<Step> steps,
    String logRef) {

  /** Where the log of build {@code id} is served. */
  public static String logRefOf(String id) {
    return "/api/builds/" + id + "/log";
  }

  /** This build with its steps. */
  public Build withSteps(List<Step> steps) {
    return new Build(
        id,
        runId,
        attempt,
        application,
        commitSha,
        ref,
        repoUrl,
        status,
        requestedBy,
        queuedAt,
        startedAt,
        finishedAt,
        durationMs,
        image,
        sbomRef,
        tests,
        failure,
        stageDurationsMs,
        cancelRequestedBy,
        steps,
        logRef);
  }

  /**
   * One step of a build.
   *
   * @param position 0-based order
   * @param name from {@code .slipway.yaml}
   * @param status RUNNING, SUCCEEDED, FAILED, TIMED_OUT or CANCELLED
   * @param exitCode the process's exit code, once it exited
   * @param startedAt when it started
   * @param durationMs how long it ran, once it ended
   */
  public record Step(
      int position,
      String name,
      String status,
      Integer exitCode,
      OffsetDateTime startedAt,
      Long durationMs) {}
}

package dev.slipway.events;

import java.util.List;
import java.util.Map;

/**
 * Payload of {@code build.done}: the outcome of building and testing one commit. Every build that
 * ends publishes one, so a run's story ends in the audit store even when nothing was built.
 *
 * @param status how the build ended
 * @param image the pushed image; required when the build succeeded
 * @param sbomRef where the CycloneDX JSON SBOM of the image is stored; required on success
 * @param tests test counts, from the JUnit XML reports the steps wrote (zero when none)
 * @param durationMs wall time of the build
 * @param logRef where the build log can be read
 * @param buildId build-service's id of this build (one attempt of the run)
 * @param failure which step failed and how; required unless the build succeeded
 * @param stageDurationsMs wall time per stage: clone, steps by name, image, push, sbom
 * @param ignores the repository's vulnerability ignores from {@code .slipway.yaml} at this commit
 * @param run where the run came from, carried forward for scan and deploy
 * @param manifests the application's rendered Kubernetes manifests, when its {@code .slipway.yaml}
 *     names them; absent: deploy-service generates a Deployment and a Service
 */
public record BuildDone(
    BuildStatus status,
    ImageRef image,
    String sbomRef,
    TestCounts tests,
    long durationMs,
    String logRef,
    String buildId,
    Failure failure,
    Map<String, Long> stageDurationsMs,
    List<VulnerabilityIgnore> ignores,
    RunContext run,
    RenderedManifests manifests) {

  /** A build.done without rendered manifests. */
  public BuildDone(
      BuildStatus status,
      ImageRef image,
      String sbomRef,
      TestCounts tests,
      long durationMs,
      String logRef,
      String buildId,
      Failure failure,
      Map<String, Long> stageDurationsMs,
      List<VulnerabilityIgnore> ignores,
      RunContext run) {
    this(
        status,
        image,
        sbomRef,
        tests,
        durationMs,
        logRef,
        buildId,
        failure,
        stageDurationsMs,
        ignores,
        run,
        null);
  }

  public BuildDone {
    Require.present(status, "status");
    if (status == BuildStatus.SUCCEEDED) {
      Require.present(image, "image");
      Require.text(sbomRef, "sbomRef");
    } else {
      Require.present(failure, "failure");
    }
    Require.present(tests, "tests");
    if (durationMs < 0) {
      throw new EventFormatException("durationMs", "must not be negative");
    }
    stageDurationsMs = stageDurationsMs == null ? Map.of() : Map.copyOf(stageDurationsMs);
    ignores = ignores == null ? List.of() : List.copyOf(Require.noNulls(ignores, "ignores"));
  }

  /** How a build ended. */
  public enum BuildStatus {
    SUCCEEDED,
    FAILED,
    CANCELLED,
    TIMED_OUT
  }

  /**
   * An image in a registry.
   *
   * @param reference repository and tag, e.g. {@code registry:5000/acme/shop:3f2a1c}
   * @param digest content digest of the manifest, e.g. {@code sha256:...}
   */
  public record ImageRef(String reference, String digest) {
    public ImageRef {
      Require.text(reference, "reference");
      Require.text(digest, "digest");
    }

    /** The repository without tag, e.g. {@code registry:5000/acme/shop}. */
    public String repository() {
      int at = reference.indexOf('@');
      String name = at < 0 ? reference : reference.substring(0, at);
      int colon = name.lastIndexOf(':');
      return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    /** The reference that pins the content, {@code repository@sha256:...}. */
    public String pinned() {
      return repository() + "@" + digest;
    }
  }

  /** Test results of a build. */
  public record TestCounts(int passed, int failed, int skipped) {
    public static final TestCounts NONE = new TestCounts(0, 0, 0);

    public TestCounts {
      Require.notNegative(passed, "passed");
      Require.notNegative(failed, "failed");
      Require.notNegative(skipped, "skipped");
    }
  }

  /**
   * Why a build did not succeed.
   *
   * @param step the step that failed, or the stage ({@code clone}, {@code config}, {@code image},
   *     {@code push}) when it was not a step
   * @param exitCode the step's exit code, null when no process exited
   * @param reason a human-readable cause, e.g. {@code exit code 1}, {@code timed out after 10m}
   * @param logTail the last lines of the log (at most 50), secrets masked
   */
  public record Failure(String step, Integer exitCode, String reason, List<String> logTail) {
    public Failure {
      Require.text(step, "step");
      Require.text(reason, "reason");
      logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }
  }
}

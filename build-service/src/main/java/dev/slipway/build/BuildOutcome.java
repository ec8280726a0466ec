package dev.slipway.build;

import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.RenderedManifests;
import dev.slipway.events.VulnerabilityIgnore;
import java.util.List;
import java.util.Map;

/**
 * How one claim of a build ended: what is written to the build's row and published in build.done.
 *
 * @param status an ended status
 * @param image the pushed image, on success
 * @param sbomRef the SBOM artifact, on success
 * @param sbom the SBOM's CycloneDX JSON, on success
 * @param sbomComponents how many components it lists
 * @param tests test counts
 * @param failure why not, unless it succeeded
 * @param stageDurationsMs wall time per stage and step
 * @param ignores the repository's vulnerability ignores
 * @param durationMs wall time of the whole build
 */
public record BuildOutcome(
    BuildStatus status,
    ImageRef image,
    String sbomRef,
    byte[] sbom,
    int sbomComponents,
    TestCounts tests,
    Failure failure,
    Map<String, Long> stageDurationsMs,
    List<VulnerabilityIgnore> ignores,
    long durationMs,
    RenderedManifests manifests) {

  /** An outcome without rendered manifests. */
  public BuildOutcome(
      BuildStatus status,
      ImageRef image,
      String sbomRef,
      byte[] sbom,
      int sbomComponents,
      TestCounts tests,
      Failure failure,
      Map<String, Long> stageDurationsMs,
      List<VulnerabilityIgnore> ignores,
      long durationMs) {
    this(
        status,
        image,
        sbomRef,
        sbom,
        sbomComponents,
        tests,
        failure,
        stageDurationsMs,
        ignores,
        durationMs,
        null);
  }

  public BuildOutcome {
    if (!status.isFinal()) {
      throw new IllegalArgumentException("an outcome is an ended status, not " + status);
    }
    stageDurationsMs = Map.copyOf(stageDurationsMs);
    ignores = List.copyOf(ignores);
    tests = tests == null ? TestCounts.NONE : tests;
  }

  /** A build that did not succeed. */
  public static BuildOutcome failed(
      BuildStatus status,
      Failure failure,
      TestCounts tests,
      Map<String, Long> stageDurationsMs,
      List<VulnerabilityIgnore> ignores,
      long durationMs) {
    return new BuildOutcome(
        status, null, null, null, 0, tests, failure, stageDurationsMs, ignores, durationMs);
  }
}

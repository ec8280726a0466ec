package dev.slipway.events;

/**
 * Payload of {@code build.done}: the outcome of building and testing one commit.
 *
 * @param status how the build ended
 * @param image the pushed image; required when the build succeeded
 * @param sbomRef where the CycloneDX JSON SBOM of the image is stored; required on success
 * @param tests test counts
 * @param durationMs wall time of the build
 * @param logRef where the build log can be read
 */
public record BuildDone(
    BuildStatus status,
    ImageRef image,
    String sbomRef,
    TestCounts tests,
    long durationMs,
    String logRef) {

  public BuildDone {
    Require.present(status, "status");
    if (status == BuildStatus.SUCCEEDED) {
      Require.present(image, "image");
      Require.text(sbomRef, "sbomRef");
    }
    Require.present(tests, "tests");
    if (durationMs < 0) {
      throw new EventFormatException("durationMs", "must not be negative");
    }
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
   * @param digest content digest, e.g. {@code sha256:...}
   */
  public record ImageRef(String reference, String digest) {
    public ImageRef {
      Require.text(reference, "reference");
      Require.text(digest, "digest");
    }
  }

  /** Test results of a build. */
  public record TestCounts(int passed, int failed, int skipped) {
    public TestCounts {
      Require.notNegative(passed, "passed");
      Require.notNegative(failed, "failed");
      Require.notNegative(skipped, "skipped");
    }
  }
}

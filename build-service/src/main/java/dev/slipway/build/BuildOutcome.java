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
 * Its failure is bounded here, whatever produced it, so a build.done always fits the broker's
 * record limit (1 MB): at most {@link #TAIL_LINES} lines of log tail, each at most {@link
 * #TAIL_LINE_LENGTH} characters, and a reason of at most {@link #REASON_LENGTH}; every other list
 * of the event is bounded by the {@code .slipway.yaml} schema (steps, ignores).
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

  /** Lines of log tail a build.done carries at most. */
  public static final int TAIL_LINES = 50;

  /** Characters of one tail line in a build.done (the stored log keeps longer lines). */
  public static final int TAIL_LINE_LENGTH = 1000;

  /** Characters of the whole tail: the oldest lines go first beyond it. */
  public static final int TAIL_LENGTH = 64 * 1024;

  /** Characters of a failure reason. */
  public static final int REASON_LENGTH = 2000;

  private static final java.util.regex.Pattern ANSI =
      java.util.regex.Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");
  private static final java.util.regex.Pattern CONTROL =
      java.util.regex.Pattern.compile("[\\p{Cntrl}&&[^\t]]");

  public BuildOutcome {
    failure = bounded(failure);
    if (!status.isFinal()) {
      throw new IllegalArgumentException("an outcome is an ended status, not " + status);
    }
    stageDurationsMs = Map.copyOf(stageDurationsMs);
    ignores = List.copyOf(ignores);
    tests = tests == null ? TestCounts.NONE : tests;
  }

  private static Failure bounded(Failure failure) {
    if (failure == null) {
      return null;
    }
    List<String> tail = failure.logTail();
    java.util.LinkedList<String> kept = new java.util.LinkedList<>();
    int length = 0;
    for (int i = tail.size() - 1; i >= 0 && kept.size() < TAIL_LINES; i--) {
      // Colours and other control characters say nothing in an event and cost six bytes each.
      String line =
          shortened(
              CONTROL.matcher(ANSI.matcher(tail.get(i)).replaceAll("")).replaceAll(" "),
              TAIL_LINE_LENGTH);
      if (length + line.length() > TAIL_LENGTH) {
        break;
      }
      length += line.length();
      kept.addFirst(line);
    }
    return new Failure(
        failure.step(),
        failure.exitCode(),
        shortened(CONTROL.matcher(failure.reason()).replaceAll(" "), REASON_LENGTH),
        List.copyOf(kept));
  }

  private static String shortened(String text, int length) {
    if (text == null || text.length() <= length) {
      return text;
    }
    return text.substring(0, length) + " … [" + (text.length() - length) + " more characters]";
  }

  /**
   * This outcome overruled by a cancel {@code by} accepted while the build ran: CANCELLED, without
   * image or SBOM, whatever the stages returned. A cancel the stages noticed is kept as it is; one
   * that came after the last stage ended is reported at step {@code finish}.
   */
  public BuildOutcome cancelledBy(String by) {
    if (status == BuildStatus.CANCELLED) {
      return this;
    }
    Failure cancelled =
        new Failure(
            failure == null ? "finish" : failure.step(),
            null,
            "cancelled by " + by,
            failure == null ? List.of() : failure.logTail());
    return failed(BuildStatus.CANCELLED, cancelled, tests, stageDurationsMs, ignores, durationMs);
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

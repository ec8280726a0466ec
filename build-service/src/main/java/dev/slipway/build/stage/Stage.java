package dev.slipway.build.stage;

import java.time.Duration;
import java.util.Optional;

/**
 * One named stage of a build (clone, config, cache-restore, steps, cache-save, image, sbom), run in
 * order by {@link StageLoop}, which owns what every stage shares: the cancel check before it, its
 * timing, its deadline and the way its failure becomes the build's outcome. A stage does its work,
 * writes what it produced into the {@link BuildContext}, and throws {@link StageFailure} to end the
 * build.
 */
public interface Stage {

  /** The stage's name: the key of its time in {@code stageDurationsMs} and its log lines. */
  String name();

  /**
   * Whether the stage has anything to do for this build (e.g. no cache section: no cache stage).
   */
  default boolean appliesTo(BuildContext build) {
    return true;
  }

  /**
   * The longest this stage may take, if the platform bounds it below the build's own deadline (the
   * image stage's deadline, say); the loop stops it with a timeout when it is over.
   */
  default Optional<Duration> limit() {
    return Optional.empty();
  }

  /**
   * Whether the loop records this stage's wall time under its name; the steps stage records one
   * time per step instead.
   */
  default boolean timed() {
    return true;
  }

  /** Does the stage's work; throws {@link StageFailure} when the build must end here. */
  void run(BuildContext build);
}

package dev.slipway.deploy.rollout;

import dev.slipway.deploy.Progress;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import java.time.Duration;

/** What one turn of the {@link RolloutEngine} decided; the engine persists it. */
sealed interface Step {

  /** Start a queued rollout: settle what and where, then go on in {@code progress}. */
  record Start(RolloutWorkRepository.Start start, Progress progress, Duration after)
      implements Step {}

  /**
   * Go on: save {@code progress} (null: nothing changed) with an optional log line, and come back
   * after {@code after}.
   */
  record Continue(Progress progress, String message, Duration after) implements Step {}

  /**
   * The rollout is over.
   *
   * @param status how it ended
   * @param reason why, for deploy.done
   * @param revision the revision serving now (the restored one after a rollback), or null
   * @param servingDigest the digest serving now, or null when nothing serves or it is unknown
   * @param promote whether the next environment may follow (a success that is not a rollback)
   * @param early what a rollout that finishes before it started had settled (its cluster,
   *     namespace, strategy, run); null once started, when the row holds them
   */
  record Finish(
      RolloutStatus status,
      String reason,
      Long revision,
      String servingDigest,
      boolean promote,
      RolloutWorkRepository.Start early)
      implements Step {

    Finish(
        RolloutStatus status, String reason, Long revision, String servingDigest, boolean promote) {
      this(status, reason, revision, servingDigest, promote, null);
    }
  }

  /** Come back after {@code after} without saving anything. */
  static Step wait(Duration after) {
    return new Continue(null, null, after);
  }
}

package dev.slipway.build.service;

import dev.slipway.build.Build;
import dev.slipway.build.BuildOutcome;
import dev.slipway.events.BuildDone;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;

/**
 * Makes build.done: caused by the run's commit.received, its id derived from the build, and never
 * larger than {@link #MAX_BYTES} (the broker takes 1 MB a record): the outcome's failure is already
 * bounded (see {@link BuildOutcome}); should the event still be too large with the run's context,
 * its log tail is left out (the log itself stays served by the API).
 */
public final class BuildEvents {

  /** CloudEvents {@code source} of build-service. */
  public static final String SOURCE = "/slipway/build-service";

  private BuildEvents() {}

  /** The most bytes a build.done may take as JSON. */
  public static final int MAX_BYTES = 900_000;

  /** The build.done of build {@code buildId}; the same build always gives the same event id. */
  public static Envelope<BuildDone> buildDone(
      String buildId, Envelope<CommitReceived> commit, BuildOutcome outcome) {
    Envelope<BuildDone> event = event(buildId, commit, outcome);
    if (outcome.failure() == null
        || outcome.failure().logTail().isEmpty()
        || EventJson.writeEvent(event).length <= MAX_BYTES) {
      return event;
    }
    BuildDone.Failure failure = outcome.failure();
    BuildOutcome lighter =
        BuildOutcome.failed(
            outcome.status(),
            new BuildDone.Failure(
                failure.step(),
                failure.exitCode(),
                failure.reason(),
                java.util.List.of(
                    "(log tail left out: the event would pass the broker's record limit; see "
                        + Build.logRefOf(buildId)
                        + ")")),
            outcome.tests(),
            outcome.stageDurationsMs(),
            outcome.ignores(),
            outcome.durationMs());
    return event(buildId, commit, lighter);
  }

  private static Envelope<BuildDone> event(
      String buildId, Envelope<CommitReceived> commit, BuildOutcome outcome) {
    BuildDone data =
        new BuildDone(
            outcome.status().toEvent(),
            outcome.image(),
            outcome.sbomRef(),
            outcome.tests(),
            outcome.durationMs(),
            Build.logRefOf(buildId),
            buildId,
            outcome.failure(),
            outcome.stageDurationsMs(),
            outcome.ignores(),
            RunContext.of(commit.data()),
            outcome.manifests());
    return Envelope.causedBy(
        commit, EventType.BUILD_DONE, SOURCE, Envelope.derivedId("build.done", buildId), data);
  }
}

package dev.slipway.build.service;

import dev.slipway.build.Build;
import dev.slipway.build.BuildOutcome;
import dev.slipway.events.BuildDone;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;

/** Makes build.done: caused by the run's commit.received, its id derived from the build. */
public final class BuildEvents {

  /** CloudEvents {@code source} of build-service. */
  public static final String SOURCE = "/slipway/build-service";

  private BuildEvents() {}

  /** The build.done of build {@code buildId}; the same build always gives the same event id. */
  public static Envelope<BuildDone> buildDone(
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

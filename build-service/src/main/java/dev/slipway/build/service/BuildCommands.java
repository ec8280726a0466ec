package dev.slipway.build.service;

import dev.slipway.build.Build;
import dev.slipway.build.BuildOutcome;
import dev.slipway.build.BuildStatus;
import dev.slipway.build.repository.BuildQueries;
import dev.slipway.build.repository.BuildQueue;
import dev.slipway.build.repository.BuildQueue.RetryResult;
import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.work.outbox.OutboxWritten;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a user may ask of a build: cancel it, or start a new attempt of its run. */
@ApplicationScoped
public class BuildCommands {

  private final BuildQueue builds;
  private final BuildQueries queries;
  private final BuildWorkers workers;
  private final Event<OutboxWritten> outboxWritten;

  public BuildCommands(
      BuildQueue builds,
      BuildQueries queries,
      BuildWorkers workers,
      Event<OutboxWritten> outboxWritten) {
    this.builds = builds;
    this.queries = queries;
    this.workers = workers;
    this.outboxWritten = outboxWritten;
  }

  /** The result of a cancel request: the build's status before it, empty for no such build. */
  public Uni<Optional<BuildStatus>> cancel(String buildId, String user) {
    String reason = "cancelled by " + user + " before it started";
    Failure failure = new Failure("queue", null, reason, List.of());
    return builds
        .requestCancel(
            buildId,
            user,
            failure,
            commit ->
                BuildEvents.buildDone(
                    buildId,
                    commit,
                    BuildOutcome.failed(
                        BuildStatus.CANCELLED, failure, TestCounts.NONE, Map.of(), List.of(), 0)))
        .invoke(
            previous ->
                previous.ifPresent(
                    status -> {
                      if (status == BuildStatus.RUNNING) {
                        workers.cancelLocally(buildId, user);
                      } else if (status == BuildStatus.QUEUED) {
                        // Committed with its build.done: the relay publishes it now.
                        outboxWritten.fire(OutboxWritten.ROWS);
                      }
                    }));
  }

  /** Queues a new attempt of the run of {@code buildId}. */
  public Uni<RetryResult> retry(String buildId, String user) {
    return builds.retry(buildId, user);
  }

  /** One build with its steps. */
  public Uni<Optional<Build>> find(String buildId) {
    return queries.find(buildId);
  }
}

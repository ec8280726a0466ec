package dev.slipway.build.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.slipway.build.BuildOutcome;
import dev.slipway.build.BuildStatus;
import dev.slipway.events.BuildDone;
import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.LeasedQueue;
import dev.slipway.work.queue.QueueTable;
import dev.slipway.work.queue.QueueWritten;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The durable build queue in build-service's own PostgreSQL database, work/'s leased queue on the
 * {@code builds} table: a commit.received or a retry queues a build, a worker claims it, renews its
 * lease, reports its steps and finishes it; a cancel is a state the finish respects. Every
 * transition that ends a build writes its build.done to the outbox in the same transaction, and
 * every write by a worker is fenced by its claim, so an instance that lost its lease (it paused, or
 * another took the build over) cannot record a second outcome. The read side is {@link
 * BuildQueries}.
 */
@ApplicationScoped
public class BuildQueue {

  /** The stored status of a running build whose cancel was accepted. */
  static final String CANCELLING = "CANCELLING";

  private static final String QUEUE =
      """
      INSERT INTO builds (id, run_id, attempt, event_id, application, commit_sha, ref, repo_url,
                          commit_event, status, queued_at)
      VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, 'QUEUED', now())
      ON CONFLICT DO NOTHING
      """;

  /** The build queue as work/'s leased queue: claims, renewals, releases, fenced locks. */
  public static final QueueTable TABLE =
      QueueTable.of("builds", "id", "queued_at")
          .withCancelling(CANCELLING)
          .withOnClaim("started_at = now()");

  private static final String CLAIMED =
      "SELECT attempt, commit_event, cancel_requested_by FROM builds WHERE id = $1";

  private static final String CLEAR_STEPS = "DELETE FROM build_steps WHERE build_id = $1";

  private static final String FINISH =
      """
      UPDATE builds
      SET status = $4, finished_at = now(), lease_until = NULL,
          image_reference = $5, image_digest = $6, sbom_ref = $7,
          tests_passed = $8, tests_failed = $9, tests_skipped = $10,
          failure = $11, stage_durations = $12, duration_ms = $13
      WHERE id = $1 AND lease_owner = $2 AND lease_token = $3
      """;

  private static final String CANCEL_REQUESTED_BY =
      "SELECT cancel_requested_by FROM builds WHERE id = $1";

  private static final String STORE_SBOM =
      """
      INSERT INTO build_sboms (build_id, content, components) VALUES ($1, $2, $3)
      ON CONFLICT (build_id) DO UPDATE SET content = $2, components = $3
      """;

  private static final String STEP_STARTED =
      """
      INSERT INTO build_steps (build_id, position, name, status, started_at)
      VALUES ($1, $2, $3, 'RUNNING', now())
      ON CONFLICT (build_id, position)
      DO UPDATE SET name = $3, status = 'RUNNING', exit_code = NULL, started_at = now(),
                    duration_ms = NULL
      """;

  private static final String STEP_FINISHED =
      """
      UPDATE build_steps SET status = $3, exit_code = $4, duration_ms = $5
      WHERE build_id = $1 AND position = $2
      """;

  private static final String LOCK_ONE =
      "SELECT status, commit_event FROM builds WHERE id = $1 FOR UPDATE";

  private static final String CANCEL_QUEUED =
      """
      UPDATE builds SET status = 'CANCELLED', finished_at = now(), cancel_requested_by = $2,
                        failure = $3, tests_passed = 0, tests_failed = 0, tests_skipped = 0
      WHERE id = $1
      """;

  private static final String CANCEL_RUNNING =
      "UPDATE builds SET cancel_requested_by = coalesce(cancel_requested_by, $2) WHERE id = $1";

  private static final String LATEST_OF_RUN =
      """
      SELECT id, run_id, attempt, event_id, application, commit_sha, ref, repo_url, commit_event,
             status
      FROM builds
      WHERE run_id = (SELECT run_id FROM builds WHERE id = $1)
      ORDER BY attempt DESC
      LIMIT 1
      FOR UPDATE
      """;

  private static final String RETRY =
      """
      INSERT INTO builds (id, run_id, attempt, event_id, application, commit_sha, ref, repo_url,
                          commit_event, status, requested_by, queued_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'QUEUED', $10, now())
      """;

  private final Pool pool;
  private final Outbox outbox;
  private final LeasedQueue queue;
  private final Event<QueueWritten> written;

  public BuildQueue(Pool pool, Outbox outbox, Event<QueueWritten> written) {
    this.pool = pool;
    this.outbox = outbox;
    this.queue = new LeasedQueue(pool, TABLE);
    this.written = written;
  }

  /**
   * Once a write that queued a build committed, wakes the idle workers of this instance (an event,
   * not a call into them): they claim at once rather than at their next poll.
   */
  private void wakeWorkers() {
    written.fire(new QueueWritten(TABLE.table()));
  }

  /**
   * The status of a stored build as the API shows it: a running build asked to cancel ({@code
   * CANCELLING} in the table) is RUNNING, with who asked in {@code cancelRequestedBy}.
   */
  static BuildStatus statusOf(String stored) {
    return CANCELLING.equals(stored) ? BuildStatus.RUNNING : BuildStatus.valueOf(stored);
  }

  /** The id of attempt {@code attempt} of run {@code runId}: the same inputs, the same id. */
  public static String buildId(String runId, int attempt) {
    return Envelope.derivedId("build", runId, Integer.toString(attempt));
  }

  /**
   * Queues the first attempt of the run a commit.received starts. A redelivered event (same run)
   * changes nothing.
   *
   * @return whether a new build was queued
   */
  public Uni<Boolean> queue(Envelope<CommitReceived> event) {
    CommitReceived commit = event.data();
    Tuple values =
        Tuple.from(
            List.of(
                buildId(event.runId(), 1),
                event.runId(),
                event.id(),
                event.subject(),
                commit.commitSha(),
                commit.ref(),
                commit.repoUrl(),
                Buffer.buffer(EventJson.writeEvent(event))));
    return pool.preparedQuery(QUEUE)
        .execute(values)
        .map(rows -> rows.rowCount() == 1)
        .invoke(
            queued -> {
              if (queued) {
                wakeWorkers();
              }
            });
  }

  /**
   * Claims the oldest build that is queued, or running under a lease that expired, for {@code
   * owner}; empty when there is none. The steps of an earlier claim are cleared.
   */
  public Uni<Optional<Claim>> claim(String owner, Duration lease) {
    return queue
        .claimOne(owner, lease)
        .flatMap(
            claimed -> {
              if (claimed.isEmpty()) {
                return Uni.createFrom().item(Optional.<Claim>empty());
              }
              Lease held = claimed.get();
              return pool.withTransaction(
                      connection ->
                          connection
                              .preparedQuery(CLAIMED)
                              .execute(Tuple.of(held.id()))
                              .flatMap(
                                  rows -> {
                                    Row row = rows.iterator().next();
                                    Claim claim =
                                        new Claim(
                                            held,
                                            row.getInteger("attempt"),
                                            EventJson.readEvent(
                                                row.getBuffer("commit_event").getBytes(),
                                                EventType.COMMIT_RECEIVED),
                                            row.getString("cancel_requested_by"));
                                    return connection
                                        .preparedQuery(CLEAR_STEPS)
                                        .execute(Tuple.of(held.id()))
                                        .replaceWith(Optional.of(claim));
                                  }))
                  // Not started: let any worker take it at once rather than after the lease.
                  .onFailure()
                  .call(failure -> queue.release(held).onFailure().recoverWithNull());
            });
  }

  /**
   * Extends the lease of {@code claim}: {@link Renewal#LOST} when it is no longer this worker's
   * (another took the build over), {@link Renewal#CANCEL_REQUESTED} when a cancel was accepted.
   */
  public Uni<Renewal> renew(Claim claim, Duration lease) {
    return queue.renew(claim.lease(), lease);
  }

  /** Who asked to cancel build {@code buildId}, or null. */
  public Uni<String> cancelRequestedBy(String buildId) {
    return pool.preparedQuery(CANCEL_REQUESTED_BY)
        .execute(Tuple.of(buildId))
        .map(rows -> rows.rowCount() == 0 ? null : rows.iterator().next().getString(0));
  }

  /** Gives up the claim at once (this instance is stopping), so another instance takes it now. */
  public Uni<Void> release(Claim claim) {
    return queue.release(claim.lease());
  }

  /**
   * Records how the claim ended and queues its build.done, in one transaction, fenced: nothing when
   * the claim is no longer this worker's. A cancel accepted while the build ran wins over how it
   * ended: the build ends CANCELLED (see {@link BuildOutcome#cancelledBy}), whatever its stages
   * returned, so a cancel answered 202 never ends SUCCEEDED.
   *
   * @param eventOf the build.done of the outcome actually recorded
   * @return the outcome recorded, empty when the claim was no longer this worker's
   */
  public Uni<Optional<BuildOutcome>> finish(
      Claim claim, BuildOutcome outcome, Function<BuildOutcome, Envelope<BuildDone>> eventOf) {
    return pool.withTransaction(
        connection ->
            queue
                .lock(Tx.of(connection), claim.lease())
                .flatMap(
                    status -> {
                      if (status.isEmpty()) {
                        return Uni.createFrom().item(Optional.<BuildOutcome>empty());
                      }
                      Uni<BuildOutcome> ended =
                          CANCELLING.equals(status.get())
                              ? connection
                                  .preparedQuery(CANCEL_REQUESTED_BY)
                                  .execute(Tuple.of(claim.buildId()))
                                  .map(
                                      rows ->
                                          outcome.cancelledBy(rows.iterator().next().getString(0)))
                              : Uni.createFrom().item(outcome);
                      return ended.flatMap(
                          recorded ->
                              write(connection, claim, recorded, eventOf.apply(recorded))
                                  .replaceWith(Optional.of(recorded)));
                    }));
  }

  private Uni<Void> write(
      SqlConnection connection, Claim claim, BuildOutcome outcome, Envelope<BuildDone> event) {
    ImageRef image = outcome.image();
    TestCounts tests = outcome.tests();
    Tuple values =
        Tuple.from(
            Arrays.asList(
                claim.buildId(),
                claim.owner(),
                claim.lease().token(),
                outcome.status().name(),
                image == null ? null : image.reference(),
                image == null ? null : image.digest(),
                outcome.sbomRef(),
                tests.passed(),
                tests.failed(),
                tests.skipped(),
                json(outcome.failure()),
                json(outcome.stageDurationsMs()),
                outcome.durationMs()));
    return connection
        .preparedQuery(FINISH)
        .execute(values)
        .flatMap(
            rows -> {
              Uni<Void> sbom =
                  outcome.sbom() == null
                      ? Uni.createFrom().voidItem()
                      : connection
                          .preparedQuery(STORE_SBOM)
                          .execute(
                              Tuple.of(
                                  claim.buildId(),
                                  Buffer.buffer(outcome.sbom()),
                                  outcome.sbomComponents()))
                          .replaceWithVoid();
              return sbom.flatMap(done -> outbox.add(Tx.of(connection), event));
            })
        .replaceWithVoid();
  }

  /** Step {@code position} of the build started. */
  public Uni<Void> stepStarted(String buildId, int position, String name) {
    return pool.preparedQuery(STEP_STARTED)
        .execute(Tuple.of(buildId, position, name))
        .replaceWithVoid();
  }

  /** Step {@code position} of the build ended. */
  public Uni<Void> stepFinished(
      String buildId, int position, String status, Integer exitCode, long durationMs) {
    return pool.preparedQuery(STEP_FINISHED)
        .execute(Tuple.from(Arrays.asList(buildId, position, status, exitCode, durationMs)))
        .replaceWithVoid();
  }

  /**
   * Asks to cancel a build. A queued build ends CANCELLED at once with its build.done (made by
   * {@code eventOf} from the stored commit.received); a running build is flagged, and its worker
   * stops it (at once on this instance, at its next heartbeat on another).
   *
   * @return the status the build had, empty when there is no such build
   */
  public Uni<Optional<BuildStatus>> requestCancel(
      String buildId,
      String user,
      Failure failure,
      Function<Envelope<CommitReceived>, Envelope<BuildDone>> eventOf) {
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(LOCK_ONE)
                .execute(Tuple.of(buildId))
                .flatMap(
                    rows -> {
                      if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(Optional.<BuildStatus>empty());
                      }
                      Row row = rows.iterator().next();
                      BuildStatus status = statusOf(row.getString("status"));
                      Uni<?> change =
                          switch (status) {
                            case QUEUED ->
                                connection
                                    .preparedQuery(CANCEL_QUEUED)
                                    .execute(Tuple.of(buildId, user, json(failure)))
                                    .flatMap(
                                        done ->
                                            outbox.add(
                                                Tx.of(connection),
                                                eventOf.apply(
                                                    EventJson.readEvent(
                                                        row.getBuffer("commit_event").getBytes(),
                                                        EventType.COMMIT_RECEIVED))));
                            case RUNNING ->
                                queue
                                    .requestCancel(Tx.of(connection), buildId)
                                    .flatMap(
                                        previous ->
                                            connection
                                                .preparedQuery(CANCEL_RUNNING)
                                                .execute(Tuple.of(buildId, user)));
                            default -> Uni.createFrom().voidItem();
                          };
                      return change.replaceWith(Optional.of(status));
                    }));
  }

  /** What a retry request came to. */
  public sealed interface RetryResult {
    /** A new attempt was queued. */
    record Queued(String buildId) implements RetryResult {}

    /** The run's latest attempt has not ended. */
    record Busy(String latestBuildId, BuildStatus status) implements RetryResult {}

    /** No such build. */
    record Unknown() implements RetryResult {}
  }

  /** Queues a new attempt of the run of {@code buildId}, once its latest attempt ended. */
  public Uni<RetryResult> retry(String buildId, String user) {
    return pool.<RetryResult>withTransaction(
            connection ->
                connection
                    .preparedQuery(LATEST_OF_RUN)
                    .execute(Tuple.of(buildId))
                    .flatMap(rows -> retryOf(connection, rows, user)))
        .onFailure(BuildQueue::isUniqueViolation)
        .recoverWithItem(new RetryResult.Busy(buildId, BuildStatus.QUEUED))
        .invoke(
            result -> {
              if (result instanceof RetryResult.Queued) {
                wakeWorkers();
              }
            });
  }

  private static Uni<RetryResult> retryOf(SqlConnection connection, RowSet<Row> rows, String user) {
    if (rows.rowCount() == 0) {
      return Uni.createFrom().item(new RetryResult.Unknown());
    }
    Row latest = rows.iterator().next();
    BuildStatus status = statusOf(latest.getString("status"));
    if (!status.isFinal()) {
      return Uni.createFrom().item(new RetryResult.Busy(latest.getString("id"), status));
    }
    int attempt = latest.getInteger("attempt") + 1;
    String runId = latest.getString("run_id");
    String id = buildId(runId, attempt);
    Tuple values =
        Tuple.from(
            List.of(
                id,
                runId,
                attempt,
                latest.getString("event_id"),
                latest.getString("application"),
                latest.getString("commit_sha"),
                latest.getString("ref"),
                latest.getString("repo_url"),
                latest.getBuffer("commit_event").getDelegate(),
                user));
    return connection.preparedQuery(RETRY).execute(values).replaceWith(new RetryResult.Queued(id));
  }

  private static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
  }

  private static String json(Object value) {
    if (value == null) {
      return null;
    }
    try {
      return EventJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

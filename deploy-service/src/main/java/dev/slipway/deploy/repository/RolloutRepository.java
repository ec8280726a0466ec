package dev.slipway.deploy.repository;

import dev.slipway.deploy.Rollout;
import dev.slipway.deploy.RolloutPhase;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.work.db.Transactions;
import dev.slipway.work.queue.QueueWritten;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * Rollouts as requested and as the API shows them. Recording a request is idempotent on the event
 * id, so a redelivered deploy.requested never makes a second rollout; its commit wakes the rollout
 * workers (a {@link QueueWritten} event, not a call into them).
 */
@ApplicationScoped
public class RolloutRepository {

  private static final String INSERT =
      """
      INSERT INTO rollouts (event_id, run_id, commit_sha, application, environment, image,
                            image_digest, reason, requested_by, run_context, approvers,
                            target_revision, status, requested_at, approval_id, manifests_ref)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11::text::jsonb, $12, 'QUEUED', $13,
              $14, $15::text::jsonb)
      ON CONFLICT (event_id) DO NOTHING
      """;

  // A manual rollback preempts what runs or waits before it in the same environment.
  private static final String PREEMPT =
      """
      UPDATE rollouts SET command = 'ABORT', command_by = $4
      WHERE application = $1 AND environment = $2 AND event_id <> $3
        AND status IN ('QUEUED', 'RUNNING') AND phase NOT IN ('ROLLING_BACK', 'CLEANING_UP')
      """;

  private static final String COLUMNS =
      """
      event_id, run_id, application, environment, image, image_digest, reason, requested_by,
      status, phase, step, cluster, namespace, strategy, revision, serving_digest, outcome,
      requested_at, started_at, finished_at
      """;

  private static final String SELECT_RECENT =
      "SELECT "
          + COLUMNS
          + """
          FROM rollouts
          WHERE ($1::text[] IS NULL OR application = ANY($1))
            AND ($2::text IS NULL OR environment = $2)
            AND ($4::text IS NULL OR seq < (SELECT seq FROM rollouts WHERE event_id = $4))
          ORDER BY seq DESC
          LIMIT $3
          """;

  private static final String SELECT_ONE =
      "SELECT " + COLUMNS + " FROM rollouts WHERE event_id = $1";

  private static final String SELECT_LOG =
      "SELECT at, phase, step, message FROM rollout_log WHERE rollout_id = $1 ORDER BY seq";

  private final Pool pool;
  private final Transactions transactions;

  public RolloutRepository(Pool pool, Transactions transactions) {
    this.pool = pool;
    this.transactions = transactions;
  }

  /**
   * Records the rollout a deploy.requested asks for. A redelivered event changes nothing.
   *
   * @return whether a new rollout was recorded
   */
  public Uni<Boolean> queue(Envelope<DeployRequested> event) {
    DeployRequested request = event.data();
    Tuple values =
        Tuple.from(
            Arrays.asList(
                event.id(),
                event.runId(),
                event.commitSha(),
                event.subject(),
                request.environment(),
                request.image(),
                request.imageDigest(),
                request.reason().name(),
                request.requestedBy(),
                JsonColumns.write(request.run()),
                JsonColumns.write(request.approvers()),
                request.revision(),
                event.time(),
                request.approvalId(),
                JsonColumns.write(request.manifests())));
    boolean rollback = request.reason() == DeployRequested.Reason.ROLLBACK;
    return transactions.run(
        tx ->
            tx.sql()
                .preparedQuery(INSERT)
                .execute(values)
                .flatMap(
                    rows -> {
                      if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                      }
                      // The rollout workers look for it once this committed.
                      tx.afterCommit(new QueueWritten(RolloutWorkRepository.TABLE.table()));
                      if (!rollback) {
                        return Uni.createFrom().item(true);
                      }
                      return tx.sql()
                          .preparedQuery(PREEMPT)
                          .execute(
                              Tuple.of(
                                  event.subject(),
                                  request.environment(),
                                  event.id(),
                                  "rollback request "
                                      + event.id()
                                      + " by "
                                      + request.requestedBy()))
                          .replaceWith(true);
                    }));
  }

  /**
   * The most recent rollouts, newest first, of {@code applications} (null: all) and {@code
   * environment} if given, after rollout {@code after} (the last of the previous page) when given.
   */
  public Uni<List<Rollout>> recent(
      List<String> applications, String environment, String after, int limit) {
    return pool.preparedQuery(SELECT_RECENT)
        .execute(
            Tuple.of(
                applications == null ? null : applications.toArray(new String[0]),
                environment,
                limit,
                after))
        .map(rows -> StreamSupport.stream(rows.spliterator(), false).map(this::toRollout).toList());
  }

  /** One rollout. */
  public Uni<Optional<Rollout>> find(String id) {
    return pool.preparedQuery(SELECT_ONE)
        .execute(Tuple.of(id))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(toRollout(rows.iterator().next())));
  }

  /** What a rollout went through, oldest first. */
  public Uni<List<LogEntry>> log(String id) {
    return pool.preparedQuery(SELECT_LOG)
        .execute(Tuple.of(id))
        .map(
            rows ->
                StreamSupport.stream(rows.spliterator(), false)
                    .map(
                        row ->
                            new LogEntry(
                                row.getOffsetDateTime("at"),
                                RolloutPhase.valueOf(row.getString("phase")),
                                row.getInteger("step"),
                                row.getString("message")))
                    .toList());
  }

  private Rollout toRollout(Row row) {
    String strategy = row.getString("strategy");
    return new Rollout(
        row.getString("event_id"),
        row.getString("run_id"),
        row.getString("application"),
        row.getString("environment"),
        row.getString("image"),
        row.getString("image_digest"),
        DeployRequested.Reason.valueOf(row.getString("reason")),
        row.getString("requested_by"),
        RolloutStatus.valueOf(row.getString("status")),
        RolloutPhase.valueOf(row.getString("phase")),
        row.getInteger("step"),
        row.getString("cluster"),
        row.getString("namespace"),
        strategy == null ? null : EnvironmentSpec.Strategy.valueOf(strategy),
        row.getLong("revision"),
        row.getString("serving_digest"),
        row.getString("outcome"),
        row.getOffsetDateTime("requested_at"),
        row.getOffsetDateTime("started_at"),
        row.getOffsetDateTime("finished_at"));
  }

  /**
   * One line of a rollout's log.
   *
   * @param at when
   * @param phase the phase it was in
   * @param step the canary step
   * @param message what happened
   */
  public record LogEntry(OffsetDateTime at, RolloutPhase phase, int step, String message) {}
}

package dev.slipway.deploy.repository;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.events.RunContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pending manual promotions and their approvers. A new approval supersedes the pending ones of
 * older runs for the same application and environment in the same transaction; an approver is
 * counted once per approval (primary key).
 */
@ApplicationScoped
public class ApprovalRepository {

  private static final String COLUMNS =
      """
      a.id, a.application, a.environment, a.from_rollout, a.cause_event_id, a.run_id,
      a.commit_sha, a.image, a.image_digest, a.run_context::text AS run_context, a.required,
      a.status, a.reason, a.decided_by, a.created_at, a.decided_at
      """;

  private static final String SUPERSEDE =
      """
      UPDATE approvals
      SET status = 'SUPERSEDED', reason = 'superseded by run ' || $3, decided_at = now()
      WHERE application = $1 AND environment = $2 AND status = 'PENDING' AND id <> $4
      """;

  private static final String INSERT =
      """
      INSERT INTO approvals (id, application, environment, from_rollout, cause_event_id, run_id,
                             commit_sha, image, image_digest, run_context, required, status)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11, 'PENDING')
      ON CONFLICT (id) DO NOTHING
      """;

  private static final String SELECT_ONE =
      "SELECT " + COLUMNS + " FROM approvals a WHERE a.id = $1";

  private static final String LOCK_ONE = SELECT_ONE + " FOR UPDATE";

  private static final String SELECT_MANY =
      "SELECT "
          + COLUMNS
          + """
          FROM approvals a
          WHERE ($1::text IS NULL OR a.application = $1)
            AND ($2::text IS NULL OR a.status = $2)
            AND ($4::text IS NULL
                 OR (a.created_at, a.id) < (SELECT created_at, id FROM approvals WHERE id = $4))
          ORDER BY a.created_at DESC, a.id DESC
          LIMIT $3
          """;

  private static final String VOTES =
      """
      SELECT approval_id, approver, approved_at FROM approval_votes
      WHERE approval_id = ANY($1) ORDER BY approved_at, approver
      """;

  private static final String VOTE =
      """
      INSERT INTO approval_votes (approval_id, approver) VALUES ($1, $2)
      ON CONFLICT DO NOTHING
      """;

  private static final String DECIDE =
      """
      UPDATE approvals SET status = $2, reason = $3, decided_by = $4, decided_at = now()
      WHERE id = $1
      """;

  private final Pool pool;

  public ApprovalRepository(Pool pool) {
    this.pool = pool;
  }

  /** Records a pending approval and supersedes older pending ones of its environment. */
  public Uni<Void> create(SqlClient transaction, NewApproval approval) {
    return transaction
        .preparedQuery(SUPERSEDE)
        .execute(
            Tuple.of(
                approval.application(), approval.environment(), approval.runId(), approval.id()))
        .flatMap(
            superseded ->
                transaction
                    .preparedQuery(INSERT)
                    .execute(
                        Tuple.from(
                            Arrays.asList(
                                approval.id(),
                                approval.application(),
                                approval.environment(),
                                approval.fromRollout(),
                                approval.causeEventId(),
                                approval.runId(),
                                approval.commitSha(),
                                approval.image(),
                                approval.imageDigest(),
                                JsonColumns.write(approval.run()),
                                approval.required()))))
        .replaceWithVoid();
  }

  /** One approval with its approvers. */
  public Uni<Optional<Stored>> find(String id) {
    return one(pool, SELECT_ONE, id);
  }

  /** One approval, locked for a decision until the caller's transaction ends. */
  public Uni<Optional<Stored>> lock(SqlClient transaction, String id) {
    return one(transaction, LOCK_ONE, id);
  }

  /** Approvals, newest first, by application and status if given. */
  public Uni<List<Approval>> list(
      String application, ApprovalStatus status, String after, int limit) {
    return pool.preparedQuery(SELECT_MANY)
        .execute(Tuple.of(application, status == null ? null : status.name(), limit, after))
        .flatMap(rows -> withVotes(pool, rows))
        .map(stored -> stored.stream().map(Stored::view).toList());
  }

  /** Counts {@code approver} once; false when they had approved already. */
  public Uni<Boolean> vote(SqlClient transaction, String id, String approver) {
    return transaction
        .preparedQuery(VOTE)
        .execute(Tuple.of(id, approver))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Closes a pending approval. */
  public Uni<Void> decide(
      SqlClient transaction, String id, ApprovalStatus status, String reason, String by) {
    return transaction
        .preparedQuery(DECIDE)
        .execute(Tuple.of(id, status.name(), reason, by))
        .replaceWithVoid();
  }

  private Uni<Optional<Stored>> one(SqlClient client, String sql, String id) {
    return client
        .preparedQuery(sql)
        .execute(Tuple.of(id))
        .flatMap(rows -> withVotes(client, rows))
        .map(stored -> stored.stream().findFirst());
  }

  private Uni<List<Stored>> withVotes(SqlClient client, RowSet<Row> rows) {
    Map<String, Row> byId = new LinkedHashMap<>();
    rows.forEach(row -> byId.put(row.getString("id"), row));
    if (byId.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return client
        .preparedQuery(VOTES)
        .execute(Tuple.of(byId.keySet().toArray(new String[0])))
        .map(
            votes -> {
              Map<String, List<Approval.Vote>> byApproval = new LinkedHashMap<>();
              votes.forEach(
                  vote ->
                      byApproval
                          .computeIfAbsent(vote.getString("approval_id"), k -> new ArrayList<>())
                          .add(
                              new Approval.Vote(
                                  vote.getString("approver"),
                                  vote.getOffsetDateTime("approved_at"))));
              return byId.values().stream()
                  .map(
                      row -> toStored(row, byApproval.getOrDefault(row.getString("id"), List.of())))
                  .toList();
            });
  }

  private static Stored toStored(Row row, List<Approval.Vote> votes) {
    RunContext run = JsonColumns.read(row.getString("run_context"), RunContext.class);
    Approval view =
        new Approval(
            row.getString("id"),
            row.getString("application"),
            row.getString("environment"),
            row.getString("image"),
            row.getString("image_digest"),
            row.getString("run_id"),
            row.getString("commit_sha"),
            run.author().name(),
            run.actor(),
            row.getInteger("required"),
            List.copyOf(votes),
            ApprovalStatus.valueOf(row.getString("status")),
            row.getString("reason"),
            row.getString("decided_by"),
            row.getOffsetDateTime("created_at"),
            row.getOffsetDateTime("decided_at"));
    return new Stored(view, run, row.getString("cause_event_id"), row.getString("from_rollout"));
  }

  /**
   * An approval to create when a run succeeded in the environment before a manual one.
   *
   * @param id derived from the rollout and the target environment
   * @param application the application
   * @param environment the environment the image would enter
   * @param fromRollout the rollout that succeeded
   * @param causeEventId the deploy.done of that rollout, the cause of the deploy to come
   * @param runId the run
   * @param commitSha its commit
   * @param image repository reference of the image
   * @param imageDigest its digest
   * @param run the run's context, carried into the deploy.requested
   * @param required distinct approvers needed
   */
  public record NewApproval(
      String id,
      String application,
      String environment,
      String fromRollout,
      String causeEventId,
      String runId,
      String commitSha,
      String image,
      String imageDigest,
      RunContext run,
      int required) {}

  /**
   * An approval as stored: the view plus what a decision needs.
   *
   * @param view what the API shows
   * @param run the run's context
   * @param causeEventId the deploy.done that created it
   * @param fromRollout the rollout that succeeded before it
   */
  public record Stored(Approval view, RunContext run, String causeEventId, String fromRollout) {}
}

package dev.slipway.deploy.repository;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.events.ApprovalDecided;
import dev.slipway.events.RunContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Manual promotions and their approvers. A new approval supersedes the live ones of older runs for
 * the same application and environment in the same transaction; an approver is counted once per
 * approval (primary key); a granted approval is used by one rollout only. Every closing writes its
 * approval.decided to the outbox in the transaction that closes it.
 */
@ApplicationScoped
public class ApprovalRepository {

  private static final String COLUMNS =
      """
      a.id, a.application, a.environment, a.from_rollout, a.cause_event_id, a.run_id,
      a.commit_sha, a.image, a.image_digest, a.run_context::text AS run_context, a.required,
      a.status, a.reason, a.decided_by, a.created_at, a.decided_at, a.expires_at,
      a.used_by_rollout
      """;

  private static final String LIVE_OF_ENVIRONMENT =
      "SELECT "
          + COLUMNS
          + """
          FROM approvals a
          WHERE a.application = $1 AND a.environment = $2 AND a.id <> $3
            AND (a.status = 'PENDING' OR (a.status = 'APPROVED' AND a.used_by_rollout IS NULL))
          FOR UPDATE
          """;

  private static final String INSERT =
      """
      INSERT INTO approvals (id, application, environment, from_rollout, cause_event_id, run_id,
                             commit_sha, image, image_digest, run_context, required, status,
                             expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11, 'PENDING', $12)
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
          WHERE ($1::text[] IS NULL OR a.application = ANY($1))
            AND ($2::text IS NULL OR a.status = $2)
          ORDER BY a.created_at DESC
          LIMIT $3
          """;

  private static final String VOTES =
      """
      SELECT approval_id, approver, approver_name, approved_at FROM approval_votes
      WHERE approval_id = ANY($1) ORDER BY approved_at, approver
      """;

  private static final String VOTE =
      """
      INSERT INTO approval_votes (approval_id, approver, approver_name) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING
      """;

  private static final String DECIDE =
      """
      UPDATE approvals SET status = $2, reason = $3, decided_by = $4, decided_at = now()
      WHERE id = $1
      """;

  // Closes an approval only while it is live: pending, or granted and not used by a rollout yet.
  private static final String CLOSE_LIVE =
      """
      UPDATE approvals SET status = $2, reason = $3, decided_by = 'deploy-service',
                           decided_at = now()
      WHERE id = $1
        AND (status = 'PENDING' OR (status = 'APPROVED' AND used_by_rollout IS NULL))
      """;

  private static final String LIVE =
      "SELECT "
          + COLUMNS
          + """
          FROM approvals a
          WHERE a.status = 'PENDING' OR (a.status = 'APPROVED' AND a.used_by_rollout IS NULL)
          ORDER BY a.expires_at
          LIMIT $1
          """;

  // A rollout takes a granted approval for itself, once; asking again for the same rollout is fine.
  private static final String USE =
      """
      UPDATE approvals SET used_by_rollout = $2
      WHERE id = $1 AND status = 'APPROVED' AND expires_at > now()
        AND (used_by_rollout IS NULL OR used_by_rollout = $2)
      """;

  // What happened in the environments before an approval's since it was opened.
  private static final String LOWER_OUTCOMES =
      """
      SELECT event_id, environment, image_digest, status, finished_at FROM rollouts
      WHERE application = $1 AND environment = ANY($2) AND finished_at > $3
        AND status IN ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')
      ORDER BY finished_at
      """;

  private final Pool pool;
  private final OutboxRepository outbox;

  public ApprovalRepository(Pool pool, OutboxRepository outbox) {
    this.pool = pool;
    this.outbox = outbox;
  }

  /**
   * Records a pending approval and supersedes the live ones of older runs for its environment, each
   * with its approval.decided, in the caller's transaction.
   */
  public Uni<Void> create(SqlClient transaction, NewApproval approval) {
    return transaction
        .preparedQuery(LIVE_OF_ENVIRONMENT)
        .execute(Tuple.of(approval.application(), approval.environment(), approval.id()))
        .flatMap(rows -> withVotes(transaction, rows))
        .flatMap(
            superseded -> {
              String reason = "superseded by run " + approval.runId();
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (Stored old : superseded) {
                chain =
                    chain.call(
                        () ->
                            closeIfLive(
                                    transaction, old.view().id(), ApprovalStatus.SUPERSEDED, reason)
                                .call(
                                    closed ->
                                        closed
                                            ? outbox.add(
                                                transaction,
                                                ApprovalDecisions.event(
                                                    old,
                                                    ApprovalDecided.Decision.SUPERSEDED,
                                                    ApprovalDecisions.SERVICE,
                                                    reason))
                                            : Uni.createFrom().voidItem()));
              }
              return chain;
            })
        .call(
            () ->
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
                                approval.required(),
                                approval.expiresAt()))));
  }

  /** One approval with its approvers. */
  public Uni<Optional<Stored>> find(String id) {
    return one(pool, SELECT_ONE, id);
  }

  /** One approval, locked for a decision until the caller's transaction ends. */
  public Uni<Optional<Stored>> lock(SqlClient transaction, String id) {
    return one(transaction, LOCK_ONE, id);
  }

  /** Approvals, newest first, of {@code applications} (null: all) and by status if given. */
  public Uni<List<Approval>> list(List<String> applications, ApprovalStatus status, int limit) {
    return pool.preparedQuery(SELECT_MANY)
        .execute(
            Tuple.of(
                applications == null ? null : applications.toArray(new String[0]),
                status == null ? null : status.name(),
                limit))
        .flatMap(rows -> withVotes(pool, rows))
        .map(stored -> stored.stream().map(Stored::view).toList());
  }

  /** Counts {@code approver} once; false when they had approved already. */
  public Uni<Boolean> vote(SqlClient transaction, String id, String approver, String name) {
    return transaction
        .preparedQuery(VOTE)
        .execute(Tuple.of(id, approver, name))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Live approvals (pending, or granted and unused), the soonest to expire first. */
  public Uni<List<Stored>> live(SqlClient client, int limit) {
    return client
        .preparedQuery(LIVE)
        .execute(Tuple.of(limit))
        .flatMap(rows -> withVotes(client, rows));
  }

  /** Rollouts that finished in {@code environments} of {@code application} after {@code since}. */
  public Uni<List<LowerOutcome>> outcomesSince(
      SqlClient client, String application, List<String> environments, OffsetDateTime since) {
    return client
        .preparedQuery(LOWER_OUTCOMES)
        .execute(Tuple.of(application, environments.toArray(new String[0]), since))
        .map(
            rows -> {
              List<LowerOutcome> outcomes = new ArrayList<>();
              rows.forEach(
                  row ->
                      outcomes.add(
                          new LowerOutcome(
                              row.getString("event_id"),
                              row.getString("environment"),
                              row.getString("image_digest"),
                              row.getString("status"),
                              row.getOffsetDateTime("finished_at"))));
              return outcomes;
            });
  }

  /** Closes {@code id} as {@code status} and records the event, if it is still live. */
  public Uni<Boolean> closeWithEvent(
      SqlClient transaction,
      Stored stored,
      ApprovalStatus status,
      ApprovalDecided.Decision decision,
      String reason) {
    return closeIfLive(transaction, stored.view().id(), status, reason)
        .call(
            closed ->
                closed
                    ? outbox.add(
                        transaction,
                        ApprovalDecisions.event(
                            stored, decision, ApprovalDecisions.SERVICE, reason))
                    : Uni.createFrom().voidItem());
  }

  /** Closes {@code id} as {@code status} if it is still live; whether it was. */
  public Uni<Boolean> closeIfLive(
      SqlClient transaction, String id, ApprovalStatus status, String reason) {
    return transaction
        .preparedQuery(CLOSE_LIVE)
        .execute(Tuple.of(id, status.name(), reason))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Lets rollout {@code rolloutId} use granted approval {@code id}: true when the approval is
   * granted, unexpired and used by no other rollout.
   */
  public Uni<Boolean> use(String id, String rolloutId) {
    return pool.preparedQuery(USE)
        .execute(Tuple.of(id, rolloutId))
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
                                  vote.getString("approver_name") == null
                                      ? vote.getString("approver")
                                      : vote.getString("approver_name"),
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
            row.getOffsetDateTime("decided_at"),
            row.getOffsetDateTime("expires_at"),
            row.getString("used_by_rollout"));
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
   * @param expiresAt when it stops being valid unless used
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
      int required,
      OffsetDateTime expiresAt) {}

  /**
   * A rollout that finished in an environment before an approval's.
   *
   * @param rolloutId the rollout
   * @param environment where
   * @param imageDigest what it deployed
   * @param status SUCCEEDED, FAILED or ROLLED_BACK
   * @param finishedAt when
   */
  public record LowerOutcome(
      String rolloutId,
      String environment,
      String imageDigest,
      String status,
      OffsetDateTime finishedAt) {}

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

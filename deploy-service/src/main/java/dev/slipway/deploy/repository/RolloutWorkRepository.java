package dev.slipway.deploy.repository;

import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.rollout.Progress;
import dev.slipway.deploy.rollout.RolloutPhase;
import dev.slipway.deploy.rollout.RolloutState;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rollout rows as workers claim and move them. Blocking: called from rollout worker threads,
 * never from an event loop.
 *
 * <p>A worker claims the oldest unfinished rollout of each application and environment whose lease
 * is free or expired ({@code FOR UPDATE SKIP LOCKED}, so instances never claim the same row), and
 * every later write is fenced by the lease: it changes the row only while this worker still holds
 * it, else {@link LeaseLostException} tells the worker to let go. A rollout's outcome, the events
 * it causes (deploy.done, a promotion's deploy.requested) and a new approval are written in one
 * transaction, so none of them exists without the others.
 */
@ApplicationScoped
public class RolloutWorkRepository {

  private static final String CLAIM =
      """
      WITH candidates AS (
        SELECT r.event_id FROM rollouts r
        WHERE r.status IN ('QUEUED', 'RUNNING')
          AND (r.lease_until IS NULL OR r.lease_until < now())
          AND NOT EXISTS (
            SELECT 1 FROM rollouts e
            WHERE e.application = r.application AND e.environment = r.environment
              AND e.status IN ('QUEUED', 'RUNNING') AND e.seq < r.seq)
        ORDER BY r.seq
        LIMIT $2
        FOR UPDATE OF r SKIP LOCKED)
      UPDATE rollouts r
      SET lease_owner = $1, lease_until = now() + make_interval(secs => $3),
          started_at = COALESCE(r.started_at, now())
      FROM candidates c
      WHERE r.event_id = c.event_id
      RETURNING r.event_id
      """;

  private static final String LOAD =
      """
      SELECT event_id, run_id, commit_sha, application, environment, image, image_digest, reason,
             requested_by, run_context::text AS run_context, approvers::text AS approvers,
             target_revision, status, phase, step, applied, ready_at, samples, sample_failures,
             phase_since, failure, cluster_failures, cluster, namespace, strategy,
             spec::text AS spec, revision, restore_revision, started_at, lease_owner
      FROM rollouts WHERE event_id = $1
      """;

  private static final String RENEW =
      """
      UPDATE rollouts SET lease_until = now() + make_interval(secs => $2)
      WHERE lease_owner = $1 AND event_id = ANY($3) AND status IN ('QUEUED', 'RUNNING')
      RETURNING event_id
      """;

  private static final String START =
      """
      UPDATE rollouts
      SET status = 'RUNNING', cluster = $3, namespace = $4, strategy = $5, spec = $6::text::jsonb,
          run_context = COALESCE($7::text::jsonb, run_context),
          revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM rollouts
                      WHERE application = $8 AND environment = $9),
          restore_revision = $10, phase = $11, step = $12, applied = FALSE, ready_at = NULL,
          samples = 0, sample_failures = 0, phase_since = now(), failure = NULL,
          cluster_failures = 0, lease_until = now() + make_interval(secs => $13)
      WHERE event_id = $1 AND lease_owner = $2 AND status = 'QUEUED'
      RETURNING revision
      """;

  private static final String SAVE =
      """
      UPDATE rollouts
      SET phase = $3, step = $4, applied = $5, ready_at = $6, samples = $7, sample_failures = $8,
          phase_since = $9, failure = $10, cluster_failures = $11,
          lease_until = now() + make_interval(secs => $12)
      WHERE event_id = $1 AND lease_owner = $2 AND status IN ('QUEUED', 'RUNNING')
      """;

  private static final String FINISH =
      """
      UPDATE rollouts
      SET status = $3, phase = 'DONE', outcome = $4, serving_digest = $5, finished_at = now(),
          cluster = COALESCE(cluster, $6), namespace = COALESCE(namespace, $7),
          strategy = COALESCE(strategy, $8), lease_owner = NULL, lease_until = NULL
      WHERE event_id = $1 AND lease_owner = $2 AND status IN ('QUEUED', 'RUNNING')
      RETURNING finished_at
      """;

  private static final String RELEASE =
      """
      UPDATE rollouts SET lease_owner = NULL, lease_until = NULL
      WHERE lease_owner = $1 AND event_id = ANY($2) AND status IN ('QUEUED', 'RUNNING')
      """;

  private static final String NOTE =
      """
      INSERT INTO rollout_log (rollout_id, phase, step, message)
      SELECT event_id, phase, step, $3 FROM rollouts WHERE event_id = $1 AND lease_owner = $2
      """;

  private static final String LOG =
      """
      INSERT INTO rollout_log (rollout_id, phase, step, message)
      SELECT event_id, phase, step, $2 FROM rollouts WHERE event_id = $1
      """;

  private final Pool pool;
  private final Outbox outbox;
  private final ApprovalRepository approvals;
  private final Duration timeout;

  public RolloutWorkRepository(
      Pool pool, Outbox outbox, ApprovalRepository approvals, DeployConfig config) {
    this.pool = pool;
    this.outbox = outbox;
    this.approvals = approvals;
    this.timeout = config.rollouts().databaseTimeout();
  }

  /** Claims up to {@code limit} rollouts for {@code owner}; returns their ids, oldest first. */
  public List<String> claim(String owner, int limit, Duration lease) {
    return await(
        pool.preparedQuery(CLAIM)
            .execute(Tuple.of(owner, limit, seconds(lease)))
            .map(
                rows -> {
                  List<String> ids = new ArrayList<>();
                  rows.forEach(row -> ids.add(row.getString(0)));
                  return ids;
                }));
  }

  /** The rollout as stored now, if it exists. */
  public Optional<Stored> load(String id) {
    return await(
        pool.preparedQuery(LOAD)
            .execute(Tuple.of(id))
            .map(
                rows -> {
                  var iterator = rows.iterator();
                  return iterator.hasNext()
                      ? Optional.of(toStored(iterator.next()))
                      : Optional.empty();
                }));
  }

  /** Extends {@code owner}'s leases on {@code ids}; returns the ids it still holds. */
  public Set<String> renew(String owner, Collection<String> ids, Duration lease) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    return await(
        pool.preparedQuery(RENEW)
            .execute(Tuple.of(owner, seconds(lease), ids.toArray(new String[0])))
            .map(
                rows -> {
                  Set<String> held = new HashSet<>();
                  rows.forEach(row -> held.add(row.getString(0)));
                  return held;
                }));
  }

  /** Gives up {@code owner}'s leases so another instance can take the rollouts at once. */
  public void release(String owner, Collection<String> ids) {
    if (!ids.isEmpty()) {
      await(
          pool.preparedQuery(RELEASE)
              .execute(Tuple.of(owner, ids.toArray(new String[0])))
              .replaceWithVoid());
    }
  }

  /** Adds a line to the rollout's log while {@code owner} holds it. */
  public void note(String id, String owner, String message) {
    await(pool.preparedQuery(NOTE).execute(Tuple.of(id, owner, message)).replaceWithVoid());
  }

  /**
   * Starts a queued rollout: what it deploys, where, and its new revision.
   *
   * @return the revision assigned
   */
  public long start(String id, String owner, Start start, Progress progress, Duration lease) {
    return await(
        pool.withTransaction(
            tx ->
                tx.preparedQuery(START)
                    .execute(
                        Tuple.from(
                            Arrays.asList(
                                id,
                                owner,
                                start.cluster(),
                                start.namespace(),
                                start.strategy().name(),
                                JsonColumns.write(start.spec()),
                                JsonColumns.write(start.run()),
                                start.application(),
                                start.environment(),
                                start.restoreRevision(),
                                progress.phase().name(),
                                progress.step(),
                                seconds(lease))))
                    .map(
                        rows -> {
                          if (rows.rowCount() == 0) {
                            throw new LeaseLostException(id);
                          }
                          return rows.iterator().next().getLong(0);
                        })
                    .call(ignored -> log(tx, id, start.message()))));
  }

  /** Saves a running rollout's progress, and a log line when given. */
  public void save(String id, String owner, Progress progress, String message, Duration lease) {
    await(
        pool.withTransaction(
            tx ->
                tx.preparedQuery(SAVE)
                    .execute(
                        Tuple.from(
                            Arrays.asList(
                                id,
                                owner,
                                progress.phase().name(),
                                progress.step(),
                                progress.applied(),
                                progress.readyAt(),
                                progress.samples(),
                                progress.sampleFailures(),
                                progress.phaseSince(),
                                progress.failure(),
                                progress.clusterFailures(),
                                seconds(lease))))
                    .invoke(
                        rows -> {
                          if (rows.rowCount() == 0) {
                            throw new LeaseLostException(id);
                          }
                        })
                    .call(
                        ignored ->
                            message == null ? Uni.createFrom().voidItem() : log(tx, id, message))));
  }

  /**
   * Finishes a rollout: its outcome, the events it causes and an approval it opens, at once.
   *
   * @return when it finished
   */
  public java.time.OffsetDateTime finish(
      String id,
      String owner,
      Finish finish,
      List<Envelope<?>> events,
      Optional<ApprovalRepository.NewApproval> approval) {
    return await(
        pool.withTransaction(
            tx ->
                tx.preparedQuery(FINISH)
                    .execute(
                        Tuple.from(
                            Arrays.asList(
                                id,
                                owner,
                                finish.status().name(),
                                finish.reason(),
                                finish.servingDigest(),
                                finish.cluster(),
                                finish.namespace(),
                                finish.strategy() == null ? null : finish.strategy().name())))
                    .map(
                        rows -> {
                          if (rows.rowCount() == 0) {
                            throw new LeaseLostException(id);
                          }
                          return rows.iterator().next().getOffsetDateTime(0);
                        })
                    .call(ignored -> log(tx, id, finish.status() + ": " + finish.reason()))
                    .call(ignored -> addAll(tx, events))
                    .call(
                        ignored ->
                            approval
                                .map(a -> approvals.create(tx, a))
                                .orElse(Uni.createFrom().voidItem()))));
  }

  private Uni<Void> addAll(SqlClient tx, List<Envelope<?>> events) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Envelope<?> event : events) {
      chain = chain.call(() -> outbox.add(Tx.of(tx), event));
    }
    return chain;
  }

  private Uni<Void> log(SqlClient tx, String id, String message) {
    return tx.preparedQuery(LOG).execute(Tuple.of(id, message)).replaceWithVoid();
  }

  private <T> T await(Uni<T> work) {
    try {
      return work.await().atMost(timeout);
    } catch (LeaseLostException | IllegalStateException | IllegalArgumentException e) {
      // Not the database's fault: a lost lease, or a row this code cannot read (a bug to see).
      throw e;
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(e);
    }
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  private static Stored toStored(Row row) {
    String strategy = row.getString("strategy");
    Progress progress =
        new Progress(
            RolloutPhase.valueOf(row.getString("phase")),
            row.getInteger("step"),
            row.getBoolean("applied"),
            row.getOffsetDateTime("ready_at"),
            row.getInteger("samples"),
            row.getInteger("sample_failures"),
            row.getOffsetDateTime("phase_since"),
            row.getString("failure"),
            row.getInteger("cluster_failures"));
    RolloutState state =
        new RolloutState(
            row.getString("event_id"),
            row.getString("run_id"),
            row.getString("commit_sha"),
            row.getString("application"),
            row.getString("environment"),
            row.getString("image"),
            row.getString("image_digest"),
            DeployRequested.Reason.valueOf(row.getString("reason")),
            row.getString("requested_by"),
            JsonColumns.read(row.getString("run_context"), RunContext.class),
            JsonColumns.strings(row.getString("approvers")),
            row.getLong("target_revision"),
            RolloutStatus.valueOf(row.getString("status")),
            progress,
            row.getString("cluster"),
            row.getString("namespace"),
            strategy == null ? null : EnvironmentSpec.Strategy.valueOf(strategy),
            JsonColumns.read(row.getString("spec"), EnvironmentSpec.class),
            row.getLong("revision"),
            row.getLong("restore_revision"),
            row.getOffsetDateTime("started_at"));
    return new Stored(state, row.getString("lease_owner"));
  }

  /**
   * A rollout row and who holds it.
   *
   * @param state the rollout
   * @param leaseOwner the instance holding its lease, or null
   */
  public record Stored(RolloutState state, String leaseOwner) {}

  /**
   * What a rollout settles when it starts.
   *
   * @param application the application
   * @param environment the environment
   * @param cluster the environment's cluster
   * @param namespace the environment's namespace
   * @param strategy how it replaces pods
   * @param spec the environment settings it applies
   * @param run the run context it follows (stored for promotions and history)
   * @param restoreRevision the last successful revision, if any
   * @param message the log line of the start
   */
  public record Start(
      String application,
      String environment,
      String cluster,
      String namespace,
      EnvironmentSpec.Strategy strategy,
      EnvironmentSpec spec,
      RunContext run,
      Long restoreRevision,
      String message) {}

  /**
   * How a rollout ended.
   *
   * @param status SUCCEEDED, FAILED or ROLLED_BACK
   * @param reason why
   * @param servingDigest what serves now, when known
   * @param cluster its cluster, when it never started
   * @param namespace its namespace, when it never started
   * @param strategy its strategy, when it never started
   */
  public record Finish(
      RolloutStatus status,
      String reason,
      String servingDigest,
      String cluster,
      String namespace,
      EnvironmentSpec.Strategy strategy) {}

  /** The worker no longer holds the rollout's lease; another instance has it now. */
  public static class LeaseLostException extends RuntimeException {

    public LeaseLostException(String id) {
      super("lease of rollout " + id + " was lost", null, false, false);
    }
  }

  /** The database could not be used for a rollout step; the step is tried again later. */
  public static class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(Throwable cause) {
      super("database unavailable: " + cause.getMessage(), cause, false, false);
    }
  }
}

package dev.slipway.deploy.repository;

import dev.slipway.deploy.Progress;
import dev.slipway.deploy.RolloutPhase;
import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.LeasedQueue;
import dev.slipway.work.queue.QueueTable;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The rollout rows as workers claim and move them: work/'s leased queue ({@link LeasedQueue}) on
 * table {@code rollouts}. Blocking: called from rollout worker threads, never from an event loop.
 *
 * <p>A worker claims the oldest unfinished rollout of each application and environment whose lease
 * is free or expired ({@code FOR UPDATE SKIP LOCKED}, so instances never claim the same row); each
 * claim takes a fencing token. Every later write, whatever it records (a step, a log line, the
 * outcome), runs in a transaction that first locks the row fenced by the claim's owner and token
 * ({@link #fenced}): a worker whose lease another took over writes nothing, and {@link
 * LeaseLostException} tells it to let go. A rollout's outcome, the events it causes (deploy.done, a
 * promotion's deploy.requested) and a new approval are written in one transaction, so none of them
 * exists without the others.
 */
@ApplicationScoped
public class RolloutWorkRepository {

  /**
   * Rollouts as a leased queue, in the order they were recorded; a rollout waits while an older one
   * of its application and environment is unfinished. A claim leaves the status to the worker: a
   * rollout is RUNNING once it started, not once it was claimed.
   */
  public static final QueueTable TABLE =
      QueueTable.of("rollouts", "event_id", "seq")
          .leavingStatusToTheWorker()
          .withClaimable(
              """
              NOT EXISTS (
                SELECT 1 FROM rollouts e
                WHERE e.application = q.application AND e.environment = q.environment
                  AND e.status IN ('QUEUED', 'RUNNING') AND e.seq < q.seq)\
              """)
          .withOnClaim("started_at = COALESCE(lq.started_at, now())");

  private static final String LOAD =
      """
      SELECT event_id, run_id, commit_sha, application, environment, image, image_digest, reason,
             requested_by, run_context::text AS run_context, approvers::text AS approvers,
             target_revision, status, phase, step, applied, ready_at, samples, sample_failures,
             phase_since, failure, cluster_failures, cluster, namespace, strategy,
             spec::text AS spec, revision, restore_revision, started_at, lease_owner, lease_token
      FROM rollouts WHERE event_id = $1
      """;

  private static final String START =
      """
      UPDATE rollouts
      SET status = 'RUNNING', cluster = $2, namespace = $3, strategy = $4, spec = $5::text::jsonb,
          run_context = COALESCE($6::text::jsonb, run_context),
          revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM rollouts
                      WHERE application = $7 AND environment = $8),
          restore_revision = $9, phase = $10, step = $11, applied = FALSE, ready_at = NULL,
          samples = 0, sample_failures = 0, phase_since = now(), failure = NULL,
          cluster_failures = 0
      WHERE event_id = $1 AND status = 'QUEUED'
      RETURNING revision
      """;

  private static final String SAVE =
      """
      UPDATE rollouts
      SET phase = $2, step = $3, applied = $4, ready_at = $5, samples = $6, sample_failures = $7,
          phase_since = $8, failure = $9, cluster_failures = $10
      WHERE event_id = $1
      """;

  private static final String FINISH =
      """
      UPDATE rollouts
      SET status = $2, phase = 'DONE', outcome = $3, serving_digest = $4, finished_at = now(),
          cluster = COALESCE(cluster, $5), namespace = COALESCE(namespace, $6),
          strategy = COALESCE(strategy, $7), lease_until = NULL
      WHERE event_id = $1
      RETURNING finished_at
      """;

  private static final String LOG =
      """
      INSERT INTO rollout_log (rollout_id, phase, step, message)
      SELECT event_id, phase, step, $2 FROM rollouts WHERE event_id = $1
      """;

  private final Pool pool;
  private final LeasedQueue queue;
  private final Outbox outbox;
  private final ApprovalRepository approvals;
  private final Duration timeout;

  public RolloutWorkRepository(
      Pool pool, Outbox outbox, ApprovalRepository approvals, DeployConfig config) {
    this.pool = pool;
    this.queue = new LeasedQueue(pool, TABLE);
    this.outbox = outbox;
    this.approvals = approvals;
    this.timeout = config.rollouts().databaseTimeout();
  }

  /** Claims up to {@code limit} rollouts for {@code owner}, oldest first. */
  public List<Lease> claim(String owner, int limit, Duration lease) {
    return await(queue.claim(owner, limit, lease));
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

  /**
   * Extends {@code lease} by {@code duration} from now: {@link Renewal#LOST} when another holds the
   * rollout now or it is over. Not blocking: a heartbeat calls it.
   */
  public Uni<Renewal> renew(Lease lease, Duration duration) {
    return queue.renew(lease, duration);
  }

  /**
   * Gives {@code lease} up, if it is still this claim's, so any worker may claim the rollout now.
   * Not blocking.
   */
  public Uni<Void> release(Lease lease) {
    return queue.release(lease);
  }

  /** Adds a line to the rollout's log, fenced by {@code lease}. */
  public void note(Lease lease, String message) {
    fenced(lease, tx -> log(tx, lease.id(), message));
  }

  /**
   * Runs {@code write} in one transaction that first locks the rollout's row fenced by {@code
   * lease} (its owner and fencing token): nothing is written, and {@link LeaseLostException} is
   * thrown, when another holds the rollout now or it is over.
   */
  public <T> T fenced(Lease lease, Function<SqlConnection, Uni<T>> write) {
    return await(
        pool.withTransaction(
            tx ->
                queue
                    .lock(Tx.of(tx), lease)
                    .flatMap(
                        status -> {
                          if (status.isEmpty()) {
                            return Uni.createFrom().failure(new LeaseLostException(lease.id()));
                          }
                          return write.apply(tx);
                        })));
  }

  /**
   * Starts a queued rollout: what it deploys, where, and its new revision. Fenced by {@code lease}.
   *
   * @return the revision assigned
   */
  public long start(Lease lease, Start start, Progress progress) {
    String id = lease.id();
    return fenced(
        lease,
        tx ->
            tx.preparedQuery(START)
                .execute(
                    Tuple.from(
                        Arrays.asList(
                            id,
                            start.cluster(),
                            start.namespace(),
                            start.strategy().name(),
                            JsonColumns.write(start.spec()),
                            JsonColumns.write(start.run()),
                            start.application(),
                            start.environment(),
                            start.restoreRevision(),
                            progress.phase().name(),
                            progress.step())))
                .map(
                    rows -> {
                      if (rows.rowCount() == 0) {
                        // Started already: by a former holder of this lease's row.
                        throw new LeaseLostException(id);
                      }
                      return rows.iterator().next().getLong(0);
                    })
                .call(ignored -> log(tx, id, start.message())));
  }

  /** Saves a running rollout's progress, and a log line when given. Fenced by {@code lease}. */
  public void save(Lease lease, Progress progress, String message) {
    String id = lease.id();
    fenced(
        lease,
        tx ->
            tx.preparedQuery(SAVE)
                .execute(
                    Tuple.from(
                        Arrays.asList(
                            id,
                            progress.phase().name(),
                            progress.step(),
                            progress.applied(),
                            progress.readyAt(),
                            progress.samples(),
                            progress.sampleFailures(),
                            progress.phaseSince(),
                            progress.failure(),
                            progress.clusterFailures())))
                .call(
                    ignored ->
                        message == null ? Uni.createFrom().voidItem() : log(tx, id, message)));
  }

  /**
   * Finishes a rollout: its outcome, the events it causes and an approval it opens, at once, fenced
   * by {@code lease}: a holder that lost the lease writes none of them.
   *
   * @return when it finished
   */
  public OffsetDateTime finish(
      Lease lease,
      Finish finish,
      List<Envelope<?>> events,
      Optional<ApprovalRepository.NewApproval> approval) {
    String id = lease.id();
    return fenced(
        lease,
        tx ->
            tx.preparedQuery(FINISH)
                .execute(
                    Tuple.from(
                        Arrays.asList(
                            id,
                            finish.status().name(),
                            finish.reason(),
                            finish.servingDigest(),
                            finish.cluster(),
                            finish.namespace(),
                            finish.strategy() == null ? null : finish.strategy().name())))
                .map(rows -> rows.iterator().next().getOffsetDateTime(0))
                .call(ignored -> log(tx, id, finish.status() + ": " + finish.reason()))
                .call(ignored -> addAll(tx, events))
                .call(
                    ignored ->
                        approval
                            .map(a -> approvals.create(tx, a))
                            .orElse(Uni.createFrom().voidItem())));
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
    return new Stored(state, row.getString("lease_owner"), row.getLong("lease_token"));
  }

  /**
   * A rollout row and who holds it.
   *
   * @param state the rollout
   * @param leaseOwner the worker holding its lease, or null
   * @param leaseToken the fencing token of that worker's claim, or null
   */
  public record Stored(RolloutState state, String leaseOwner, Long leaseToken) {

    /** Whether {@code lease} is the claim the row holds now. */
    public boolean heldBy(Lease lease) {
      return lease.owner().equals(leaseOwner) && leaseToken != null && leaseToken == lease.token();
    }
  }

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

  /**
   * The worker no longer holds the rollout's lease (another claim has it now, or the heartbeat gave
   * it up before it could run out): it stops the rollout here and writes nothing more.
   */
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

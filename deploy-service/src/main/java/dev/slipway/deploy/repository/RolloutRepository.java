package dev.slipway.deploy.repository;

import dev.slipway.deploy.Rollout;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.StreamSupport;

/** Rollout records in deploy-service's own PostgreSQL database. */
@ApplicationScoped
public class RolloutRepository {

  private static final String INSERT =
      """
      INSERT INTO rollouts (event_id, run_id, application, environment, image, image_digest,
                            reason, requested_by, status, requested_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'QUEUED', $9)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private static final String SELECT_RECENT =
      """
      SELECT event_id, run_id, application, environment, image, image_digest, reason,
             requested_by, status, requested_at
      FROM rollouts
      WHERE ($1::text IS NULL OR application = $1)
        AND ($2::text IS NULL OR environment = $2)
      ORDER BY requested_at DESC, event_id
      LIMIT $3
      """;

  private final Pool pool;

  public RolloutRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Queues the rollout a deploy.requested asks for. A redelivered event changes nothing.
   *
   * @return whether a new rollout was queued
   */
  public Uni<Boolean> queue(Envelope<DeployRequested> event) {
    DeployRequested request = event.data();
    Tuple values =
        Tuple.from(
            List.of(
                event.id(),
                event.runId(),
                event.subject(),
                request.environment(),
                request.image(),
                request.imageDigest(),
                request.reason().name(),
                request.requestedBy(),
                event.time()));
    return pool.preparedQuery(INSERT).execute(values).map(rows -> rows.rowCount() == 1);
  }

  /** The most recent rollouts, newest first, filtered by application and environment if given. */
  public Uni<List<Rollout>> recent(String application, String environment, int limit) {
    return pool.preparedQuery(SELECT_RECENT)
        .execute(Tuple.of(application, environment, limit))
        .map(rows -> StreamSupport.stream(rows.spliterator(), false).map(this::toRollout).toList());
  }

  private Rollout toRollout(Row row) {
    return new Rollout(
        row.getString("event_id"),
        row.getString("run_id"),
        row.getString("application"),
        row.getString("environment"),
        row.getString("image"),
        row.getString("image_digest"),
        row.getString("reason"),
        row.getString("requested_by"),
        row.getString("status"),
        row.getOffsetDateTime("requested_at"));
  }
}

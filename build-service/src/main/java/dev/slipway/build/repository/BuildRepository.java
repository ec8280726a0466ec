package dev.slipway.build.repository;

import dev.slipway.build.Build;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.StreamSupport;

/** Build records in build-service's own PostgreSQL database. */
@ApplicationScoped
public class BuildRepository {

  private static final String INSERT =
      """
      INSERT INTO builds (event_id, run_id, application, commit_sha, ref, repo_url, status,
                          requested_at)
      VALUES ($1, $2, $3, $4, $5, $6, 'QUEUED', $7)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private static final String SELECT_RECENT =
      """
      SELECT event_id, run_id, application, commit_sha, ref, repo_url, status, requested_at
      FROM builds
      WHERE ($1::text IS NULL OR application = $1)
      ORDER BY requested_at DESC, event_id
      LIMIT $2
      """;

  private final Pool pool;

  public BuildRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Queues the build a commit.received asks for. A redelivered event changes nothing.
   *
   * @return whether a new build was queued
   */
  public Uni<Boolean> queue(Envelope<CommitReceived> event) {
    CommitReceived commit = event.data();
    Tuple values =
        Tuple.from(
            List.of(
                event.id(),
                event.runId(),
                event.subject(),
                commit.commitSha(),
                commit.ref(),
                commit.repoUrl(),
                event.time()));
    return pool.preparedQuery(INSERT).execute(values).map(rows -> rows.rowCount() == 1);
  }

  /** The most recent builds, newest first, of one application or of all. */
  public Uni<List<Build>> recent(String application, int limit) {
    return pool.preparedQuery(SELECT_RECENT)
        .execute(Tuple.of(application, limit))
        .map(rows -> StreamSupport.stream(rows.spliterator(), false).map(this::toBuild).toList());
  }

  private Build toBuild(Row row) {
    return new Build(
        row.getString("event_id"),
        row.getString("run_id"),
        row.getString("application"),
        row.getString("commit_sha"),
        row.getString("ref"),
        row.getString("repo_url"),
        row.getString("status"),
        row.getOffsetDateTime("requested_at"));
  }
}

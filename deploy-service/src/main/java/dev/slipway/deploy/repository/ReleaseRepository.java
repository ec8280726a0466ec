package dev.slipway.deploy.repository;

import dev.slipway.deploy.Release;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The release history of each application and environment: every rollout that started, with its
 * revision, and the revision a rollback restores (the last one that succeeded).
 */
@ApplicationScoped
public class ReleaseRepository {

  private static final String REVISION_COLUMNS =
      """
      revision, event_id, image, image_digest, spec::text AS spec, run_id, commit_sha,
      run_context::text AS run_context, status
      """;

  private static final String LAST_SUCCEEDED =
      "SELECT "
          + REVISION_COLUMNS
          + """
          FROM rollouts
          WHERE application = $1 AND environment = $2 AND status = 'SUCCEEDED'
            AND revision IS NOT NULL
          ORDER BY revision DESC
          LIMIT 1
          """;

  private static final String ONE =
      "SELECT "
          + REVISION_COLUMNS
          + " FROM rollouts WHERE application = $1 AND environment = $2 AND revision = $3";

  private static final String LATEST_SPEC =
      """
      SELECT spec::text AS spec FROM rollouts
      WHERE application = $1 AND environment = $2 AND spec IS NOT NULL
      ORDER BY seq DESC
      LIMIT 1
      """;

  private static final String RUN_CONTEXT =
      """
      SELECT run_context::text AS run_context FROM rollouts
      WHERE application = $1 AND run_context IS NOT NULL
      ORDER BY (image_digest = $2) DESC, seq DESC
      LIMIT 1
      """;

  private static final String HISTORY =
      """
      SELECT revision, event_id, image, image_digest, run_id, commit_sha,
             run_context::text AS run_context, reason, requested_by, approvers::text AS approvers,
             strategy, status, outcome, started_at, finished_at
      FROM rollouts
      WHERE application = $1 AND environment = $2 AND revision IS NOT NULL
        AND ($4::bigint IS NULL OR revision < $4)
      ORDER BY revision DESC
      LIMIT $3
      """;

  private final Pool pool;

  public ReleaseRepository(Pool pool) {
    this.pool = pool;
  }

  /** Every application and environment that has a successful revision. */
  public Uni<List<java.util.Map.Entry<String, String>>> environments() {
    return pool.preparedQuery(
            "SELECT DISTINCT application, environment FROM rollouts WHERE status = 'SUCCEEDED'"
                + " ORDER BY application, environment")
        .execute()
        .map(
            rows ->
                StreamSupport.stream(rows.spliterator(), false)
                    .map(
                        row ->
                            java.util.Map.entry(
                                row.getString("application"), row.getString("environment")))
                    .toList());
  }

  /** The last revision that succeeded: what serves now and what a rollback restores. */
  public Uni<Optional<Revision>> lastSucceeded(String application, String environment) {
    return pool.preparedQuery(LAST_SUCCEEDED)
        .execute(Tuple.of(application, environment))
        .map(rows -> first(rows).map(ReleaseRepository::toRevision));
  }

  /** Revision {@code revision} and how it ended. */
  public Uni<Optional<Found>> revision(String application, String environment, long revision) {
    return pool.preparedQuery(ONE)
        .execute(Tuple.of(application, environment, revision))
        .map(
            rows ->
                first(rows)
                    .map(
                        row ->
                            new Found(
                                toRevision(row), RolloutStatus.valueOf(row.getString("status")))));
  }

  /** The settings the environment's latest rollout applied, for a request without a run. */
  public Uni<Optional<EnvironmentSpec>> latestSpec(String application, String environment) {
    return pool.preparedQuery(LATEST_SPEC)
        .execute(Tuple.of(application, environment))
        .map(
            rows ->
                first(rows)
                    .map(row -> JsonColumns.read(row.getString("spec"), EnvironmentSpec.class)));
  }

  /**
   * The run context stored for {@code digest} of the application, else its latest one, for a
   * request that carries none.
   */
  public Uni<Optional<RunContext>> runContext(String application, String digest) {
    return pool.preparedQuery(RUN_CONTEXT)
        .execute(Tuple.of(application, digest))
        .map(
            rows ->
                first(rows)
                    .map(row -> JsonColumns.read(row.getString("run_context"), RunContext.class)));
  }

  /** The releases of an application in an environment, newest first. */
  public Uni<List<Release>> history(String application, String environment, Long after, int limit) {
    return pool.preparedQuery(HISTORY)
        .execute(Tuple.of(application, environment, limit, after))
        .map(
            rows ->
                StreamSupport.stream(rows.spliterator(), false)
                    .map(ReleaseRepository::toRelease)
                    .toList());
  }

  private static Optional<Row> first(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? Optional.of(iterator.next()) : Optional.empty();
  }

  private static Revision toRevision(Row row) {
    return new Revision(
        row.getLong("revision"),
        row.getString("event_id"),
        row.getString("image"),
        row.getString("image_digest"),
        JsonColumns.read(row.getString("spec"), EnvironmentSpec.class),
        row.getString("run_id"),
        row.getString("commit_sha"),
        JsonColumns.read(row.getString("run_context"), RunContext.class));
  }

  private static Release toRelease(Row row) {
    RunContext run = JsonColumns.read(row.getString("run_context"), RunContext.class);
    String strategy = row.getString("strategy");
    return new Release(
        row.getLong("revision"),
        row.getString("event_id"),
        row.getString("image"),
        row.getString("image_digest"),
        row.getString("run_id"),
        row.getString("commit_sha"),
        run == null ? null : run.author().name(),
        DeployRequested.Reason.valueOf(row.getString("reason")),
        row.getString("requested_by"),
        JsonColumns.strings(row.getString("approvers")),
        strategy == null ? null : EnvironmentSpec.Strategy.valueOf(strategy),
        RolloutStatus.valueOf(row.getString("status")),
        row.getString("outcome"),
        row.getOffsetDateTime("started_at"),
        row.getOffsetDateTime("finished_at"));
  }

  /**
   * A revision and how its rollout ended.
   *
   * @param revision what it put in place
   * @param status how its rollout ended
   */
  public record Found(Revision revision, RolloutStatus status) {}
}

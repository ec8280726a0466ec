package dev.slipway.build.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.build.Build;
import dev.slipway.build.BuildStatus;
import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The read side of build-service's {@code builds} table, for the API and the log follower: one
 * build with its steps, its status, a page of builds (keyset, newest first) and a build's SBOM. The
 * write side is {@link BuildQueue}.
 */
@ApplicationScoped
public class BuildQueries {

  /** The columns of a build as the API shows it, listed once for every query that reads one. */
  private static final String COLUMNS =
      """
      id, run_id, attempt, application, commit_sha, ref, repo_url, status, requested_by,
      queued_at, started_at, finished_at, image_reference, image_digest, sbom_ref,
      tests_passed, tests_failed, tests_skipped, failure,
      stage_durations, cancel_requested_by, duration_ms\
      """;

  private static final String FIND = "SELECT " + COLUMNS + " FROM builds WHERE id = $1";

  private static final String STEPS =
      """
      SELECT position, name, status, exit_code, started_at, duration_ms
      FROM build_steps WHERE build_id = $1 ORDER BY position
      """;

  private static final String PAGE =
      "SELECT "
          + COLUMNS
          + """

          FROM builds
          WHERE ($1::text[] IS NULL OR application = ANY($1))
            AND ($2::text IS NULL OR status = $2 OR ($2 = 'RUNNING' AND status = 'CANCELLING'))
            AND ($3::timestamptz IS NULL OR (queued_at, id) < ($3, $4))
          ORDER BY queued_at DESC, id DESC
          LIMIT $5
          """;

  private static final String SBOM = "SELECT content FROM build_sboms WHERE build_id = $1";

  private static final String STATUS = "SELECT status FROM builds WHERE id = $1";

  private static final TypeReference<Map<String, Long>> DURATIONS = new TypeReference<>() {};

  private final Pool pool;

  public BuildQueries(Pool pool) {
    this.pool = pool;
  }

  /** One build with its steps. */
  public Uni<Optional<Build>> find(String buildId) {
    return pool.preparedQuery(FIND)
        .execute(Tuple.of(buildId))
        .flatMap(
            rows -> {
              if (rows.rowCount() == 0) {
                return Uni.createFrom().item(Optional.<Build>empty());
              }
              Build build = toBuild(rows.iterator().next());
              return pool.preparedQuery(STEPS)
                  .execute(Tuple.of(buildId))
                  .map(steps -> Optional.of(build.withSteps(toSteps(steps))));
            });
  }

  /** The status of one build, empty when there is no such build. */
  public Uni<Optional<BuildStatus>> status(String buildId) {
    return pool.preparedQuery(STATUS)
        .execute(Tuple.of(buildId))
        .map(
            rows ->
                rows.rowCount() == 0
                    ? Optional.empty()
                    : Optional.of(BuildQueue.statusOf(rows.iterator().next().getString(0))));
  }

  /**
   * Builds newest first, of {@code applications} (null: all) and optionally in one status, after
   * the keyset position ({@code afterQueuedAt}, {@code afterId}) of the previous page.
   */
  public Uni<List<Build>> page(
      List<String> applications,
      BuildStatus status,
      OffsetDateTime afterQueuedAt,
      String afterId,
      int limit) {
    return pool.preparedQuery(PAGE)
        .execute(
            Tuple.from(
                Arrays.asList(
                    applications == null ? null : applications.toArray(new String[0]),
                    status == null ? null : status.name(),
                    afterQueuedAt,
                    afterId,
                    limit)))
        .map(rows -> StreamSupport.stream(rows.spliterator(), false).map(this::toBuild).toList());
  }

  /** The SBOM of a build, when it has one. */
  public Uni<Optional<byte[]>> sbom(String buildId) {
    return pool.preparedQuery(SBOM)
        .execute(Tuple.of(buildId))
        .map(
            rows ->
                rows.rowCount() == 0
                    ? Optional.empty()
                    : Optional.of(rows.iterator().next().getBuffer(0).getBytes()));
  }

  private Build toBuild(Row row) {
    String id = row.getString("id");
    String reference = row.getString("image_reference");
    Integer passed = row.getInteger("tests_passed");
    OffsetDateTime started = row.getOffsetDateTime("started_at");
    OffsetDateTime finished = row.getOffsetDateTime("finished_at");
    String durations = row.getString("stage_durations");
    Long duration = row.getLong("duration_ms");
    if (duration == null && started != null && finished != null) {
      duration = Duration.between(started, finished).toMillis();
    }
    return new Build(
        id,
        row.getString("run_id"),
        row.getInteger("attempt"),
        row.getString("application"),
        row.getString("commit_sha"),
        row.getString("ref"),
        row.getString("repo_url"),
        BuildQueue.statusOf(row.getString("status")),
        row.getString("requested_by"),
        row.getOffsetDateTime("queued_at"),
        started,
        finished,
        duration,
        reference == null ? null : new ImageRef(reference, row.getString("image_digest")),
        row.getString("sbom_ref"),
        passed == null
            ? null
            : new TestCounts(
                passed, row.getInteger("tests_failed"), row.getInteger("tests_skipped")),
        read(row.getString("failure"), Failure.class),
        durations == null ? null : readDurations(durations),
        row.getString("cancel_requested_by"),
        null,
        Build.logRefOf(id));
  }

  private static List<Build.Step> toSteps(RowSet<Row> rows) {
    List<Build.Step> steps = new ArrayList<>();
    for (Row row : rows) {
      steps.add(
          new Build.Step(
              row.getInteger("position"),
              row.getString("name"),
              row.getString("status"),
              row.getInteger("exit_code"),
              row.getOffsetDateTime("started_at"),
              row.getLong("duration_ms")));
    }
    return steps;
  }

  private static <T> T read(String json, Class<T> type) {
    if (json == null) {
      return null;
    }
    try {
      return EventJson.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored " + type.getSimpleName() + " unreadable", e);
    }
  }

  private static Map<String, Long> readDurations(String json) {
    try {
      return EventJson.mapper().readValue(json, DURATIONS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored stage durations unreadable", e);
    }
  }
}

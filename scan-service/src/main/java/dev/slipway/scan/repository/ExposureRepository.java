package dev.slipway.scan.repository;

import dev.slipway.events.Severity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Findings re-evaluation found on digests after they were deployed, those whose digest still serves
 * where it was found, newest first.
 */
@ApplicationScoped
public class ExposureRepository {

  private static final String PAGE =
      """
      SELECT e.event_id, e.application, e.environment, e.digest, e.image, e.purl, e.version,
             e.advisory_id, e.aliases, e.severity, e.gated_as, e.fixed_version, e.db_version,
             e.found_at
      FROM exposures e
      JOIN deployments d ON d.application = e.application AND d.environment = e.environment
                        AND d.digest = e.digest
      WHERE ($1::timestamptz IS NULL OR (e.found_at, e.event_id) < ($1, $2))
      ORDER BY e.found_at DESC, e.event_id DESC
      LIMIT $3
      """;

  private static final String COUNT =
      """
      SELECT count(*) AS exposures, count(DISTINCT (e.application, e.environment)) AS places
      FROM exposures e
      JOIN deployments d ON d.application = e.application AND d.environment = e.environment
                        AND d.digest = e.digest
      """;

  private final Pool pool;

  public ExposureRepository(Pool pool) {
    this.pool = pool;
  }

  /** A page of current exposures after {@code (afterTime, afterId)}; nulls for the first page. */
  public Uni<List<Found>> page(OffsetDateTime afterTime, String afterId, int limit) {
    return pool.preparedQuery(PAGE)
        .execute(Tuple.from(Arrays.asList(afterTime, afterId, limit)))
        .map(
            rows -> {
              List<Found> found = new ArrayList<>();
              for (Row row : rows) {
                found.add(
                    new Found(
                        row.getString("event_id"),
                        row.getString("application"),
                        row.getString("environment"),
                        row.getString("digest"),
                        row.getString("image"),
                        row.getString("purl"),
                        row.getString("version"),
                        row.getString("advisory_id"),
                        Arrays.asList(row.getArrayOfStrings("aliases")),
                        Severity.valueOf(row.getString("severity")),
                        Severity.valueOf(row.getString("gated_as")),
                        row.getString("fixed_version"),
                        row.getString("db_version"),
                        row.getOffsetDateTime("found_at")));
              }
              return found;
            });
  }

  /** How many current exposures, in how many application environments. */
  public Uni<Totals> totals() {
    return pool.query(COUNT)
        .execute()
        .map(rows -> rows.iterator().next())
        .map(row -> new Totals(row.getLong("exposures"), row.getLong("places")));
  }

  /**
   * One finding on a running digest that re-evaluation found after it was deployed.
   *
   * @param eventId the vulnerability.found event that announced it
   * @param application the application
   * @param environment the environment it serves in
   * @param digest the serving digest
   * @param image the image repository; may be null
   * @param purl the component
   * @param version its installed version
   * @param advisoryId the advisory
   * @param aliases its other ids
   * @param severity the advisory's severity
   * @param gatedAs the severity it was judged at
   * @param fixedVersion the lowest fixed version above the installed one; null when none is known
   * @param dbVersion the database version that found it
   * @param foundAt when it was found
   */
  public record Found(
      String eventId,
      String application,
      String environment,
      String digest,
      String image,
      String purl,
      String version,
      String advisoryId,
      List<String> aliases,
      Severity severity,
      Severity gatedAs,
      String fixedVersion,
      String dbVersion,
      OffsetDateTime foundAt) {}

  /** Current exposures and the application environments they are in. */
  public record Totals(long exposures, long environments) {}
}

package dev.slipway.scan.repository;

import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.scan.Scan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;

/** Scan records in scan-service's own PostgreSQL database. */
@ApplicationScoped
public class ScanRepository {

  private static final String INSERT =
      """
      INSERT INTO scans (event_id, run_id, application, commit_sha, image, image_digest, sbom_ref,
                         status, requested_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private static final String SELECT_RECENT =
      """
      SELECT event_id, run_id, application, commit_sha, image, image_digest, sbom_ref, status,
             requested_at
      FROM scans
      WHERE ($1::text IS NULL OR application = $1)
      ORDER BY requested_at DESC, event_id
      LIMIT $2
      """;

  private final Pool pool;

  public ScanRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Records the scan a successful build.done asks for. A redelivered event changes nothing.
   *
   * @return whether a new scan was recorded
   */
  public Uni<Boolean> request(Envelope<BuildDone> event) {
    BuildDone build = event.data();
    Tuple values =
        Tuple.from(
            Arrays.asList(
                event.id(),
                event.runId(),
                event.subject(),
                event.commitSha(),
                build.image().reference(),
                build.image().digest(),
                build.sbomRef(),
                event.time()));
    return pool.preparedQuery(INSERT).execute(values).map(rows -> rows.rowCount() == 1);
  }

  /** The most recent scans, newest first, of one application or of all. */
  public Uni<List<Scan>> recent(String application, int limit) {
    return pool.preparedQuery(SELECT_RECENT)
        .execute(Tuple.of(application, limit))
        .map(rows -> StreamSupport.stream(rows.spliterator(), false).map(this::toScan).toList());
  }

  private Scan toScan(Row row) {
    return new Scan(
        row.getString("event_id"),
        row.getString("run_id"),
        row.getString("application"),
        row.getString("commit_sha"),
        row.getString("image"),
        row.getString("image_digest"),
        row.getString("sbom_ref"),
        row.getString("status"),
        row.getOffsetDateTime("requested_at"));
  }
}

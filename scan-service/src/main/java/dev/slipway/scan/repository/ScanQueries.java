package dev.slipway.scan.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.LicenseViolation;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.Scan;
import dev.slipway.scan.ScanKind;
import dev.slipway.scan.ScanStatus;
import dev.slipway.scan.sbom.Unmatched;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read side of scan-service's {@code scans} table, for the API: one scan with its findings, a
 * page of scans (keyset, newest first) and the SBOM a scan read. The write side is {@link
 * ScanQueue}.
 */
@ApplicationScoped
public class ScanQueries {

  private static final TypeReference<List<VulnerabilityIgnore>> IGNORES = new TypeReference<>() {};
  private static final TypeReference<List<Finding>> FINDINGS = new TypeReference<>() {};
  private static final TypeReference<List<LicenseViolation>> VIOLATIONS = new TypeReference<>() {};
  private static final TypeReference<Map<Severity, Integer>> COUNTS = new TypeReference<>() {};
  private static final TypeReference<List<Unmatched>> UNMATCHED = new TypeReference<>() {};

  private static final String VIEW_COLUMNS =
      """
      scan_id, kind, application, run_id, commit_sha, image, image_digest, sbom_ref, requested_by,
      status, reason, policy::text AS policy, ignores::text AS ignores, db_version,
      counts::text AS counts, components, unmatched, requested_at, finished_at
      """;

  private static final String FIND =
      "SELECT "
          + VIEW_COLUMNS
          + ", findings::text AS findings, license_violations::text AS license_violations,"
          + " unmatched_components::text AS unmatched_components"
          + " FROM scans WHERE scan_id = $1";

  private static final String PAGE =
      "SELECT "
          + VIEW_COLUMNS
          + """
          FROM scans
          WHERE ($1::text[] IS NULL OR application = ANY($1))
            AND ($2::timestamptz IS NULL OR (requested_at, scan_id) < ($2, $3))
          ORDER BY requested_at DESC, scan_id DESC
          LIMIT $4
          """;

  private static final String SBOM = "SELECT status, sbom FROM scans WHERE scan_id = $1";

  private final Pool pool;

  public ScanQueries(Pool pool) {
    this.pool = pool;
  }

  /** One scan with its findings. */
  public Uni<Optional<Scan>> find(String scanId) {
    return pool.preparedQuery(FIND)
        .execute(Tuple.of(scanId))
        .map(
            rows ->
                rows.rowCount() == 0
                    ? Optional.empty()
                    : Optional.of(toScan(rows.iterator().next(), true)));
  }

  /**
   * A page of scans, newest first, after the position {@code after} (keyset pagination).
   *
   * @param application only this application's scans; null for all
   * @param after the last scan of the previous page; null for the first page
   * @param limit most scans returned
   */
  public Uni<List<Scan>> page(List<String> applications, Position after, int limit) {
    return pool.preparedQuery(PAGE)
        .execute(
            Tuple.from(
                Arrays.asList(
                    applications == null ? null : applications.toArray(new String[0]),
                    after == null ? null : after.requestedAt(),
                    after == null ? null : after.scanId(),
                    limit)))
        .map(
            rows -> {
              List<Scan> scans = new ArrayList<>();
              rows.forEach(row -> scans.add(toScan(row, false)));
              return scans;
            });
  }

  /** The SBOM a scan read: empty when no such scan, null bytes while it has none yet. */
  public Uni<Optional<StoredSbom>> sbom(String scanId) {
    return pool.preparedQuery(SBOM)
        .execute(Tuple.of(scanId))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                return Optional.empty();
              }
              Row row = rows.iterator().next();
              Buffer sbom = row.getBuffer("sbom");
              return Optional.of(
                  new StoredSbom(
                      ScanStatus.valueOf(row.getString("status")),
                      sbom == null ? null : sbom.getBytes()));
            });
  }

  private static Scan toScan(Row row, boolean detail) {
    String counts = row.getString("counts");
    return new Scan(
        row.getString("scan_id"),
        ScanKind.valueOf(row.getString("kind")),
        row.getString("application"),
        row.getString("run_id"),
        row.getString("commit_sha"),
        row.getString("image"),
        row.getString("image_digest"),
        row.getString("sbom_ref"),
        row.getString("requested_by"),
        ScanStatus.valueOf(row.getString("status")),
        row.getString("reason"),
        ScanJson.read(row.getString("policy"), ScanPolicy.class),
        ScanJson.read(row.getString("ignores"), IGNORES),
        row.getString("db_version"),
        counts == null ? null : ScanJson.read(counts, COUNTS),
        row.getInteger("components"),
        row.getInteger("unmatched"),
        row.getOffsetDateTime("requested_at"),
        row.getOffsetDateTime("finished_at"),
        detail ? readOrEmpty(row.getString("findings"), FINDINGS) : null,
        detail ? readOrEmpty(row.getString("license_violations"), VIOLATIONS) : null,
        detail ? readOrEmpty(row.getString("unmatched_components"), UNMATCHED) : null);
  }

  private static <T> List<T> readOrEmpty(String json, TypeReference<List<T>> type) {
    return json == null ? List.of() : ScanJson.read(json, type);
  }

  /** Where a page ends: the last scan's time and id. */
  public record Position(OffsetDateTime requestedAt, String scanId) {}

  /** A scan's SBOM, null while the scan has not read it. */
  public record StoredSbom(ScanStatus status, byte[] sbom) {}
}

package dev.slipway.scan.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.LicenseViolation;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.Scan;
import dev.slipway.scan.ScanKind;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.ScanStatus;
import dev.slipway.scan.sbom.InstalledPackage;
import dev.slipway.scan.sbom.Unmatched;
import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.QueueTable;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scans in scan-service's own database. A build's scan is recorded once per build.done (its id is
 * derived from the event id), claimed by one worker at a time with a lease, and finished in one
 * transaction with the events it causes, only by the worker that still holds the lease.
 */
@ApplicationScoped
public class ScanRepository {

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

  private static final String REQUEST =
      """
      INSERT INTO scans (scan_id, kind, build_event_id, run_id, application, commit_sha, image,
                         image_digest, sbom_ref, requested_by, cause, policy, ignores, status,
                         requested_at)
      VALUES ($1, 'BUILD', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb,
              $12::text::jsonb, 'PENDING', $13)
      ON CONFLICT DO NOTHING
      """;

  /**
   * Build scans as work/'s leased queue: PENDING scans due ({@code not_before}) or SCANNING ones
   * whose lease ran out are claimed, oldest request first, and become SCANNING.
   */
  public static final QueueTable TABLE =
      new QueueTable(
          "scans",
          "scan_id",
          "requested_at",
          List.of("PENDING", "SCANNING"),
          null,
          null,
          "q.status = 'SCANNING' OR q.not_before <= now()",
          "status = 'SCANNING'");

  private static final String CLAIMED =
      """
      SELECT cause, policy::text AS policy, ignores::text AS ignores, sbom_ref
      FROM scans WHERE scan_id = $1
      """;

  private static final String RETRY_LATER =
      """
      UPDATE scans SET status = 'PENDING', lease_owner = NULL, lease_until = NULL, reason = $2,
                       not_before = now() + $3 * interval '1 millisecond'
      WHERE scan_id = $1
      """;

  private static final String FINISH =
      """
      UPDATE scans SET status = $2, reason = $3, db_version = $4, counts = $5::text::jsonb,
                       findings = $6::text::jsonb, license_violations = $7::text::jsonb,
                       components = $8, unmatched = $9, sbom = $10, finished_at = now(),
                       unmatched_components = $11::text::jsonb,
                       lease_owner = NULL, lease_until = NULL
      WHERE scan_id = $1
      """;

  private static final String INSERT_ADHOC =
      """
      INSERT INTO scans (scan_id, kind, application, requested_by, policy, ignores, status, reason,
                         db_version, counts, findings, license_violations, components, unmatched,
                         sbom, unmatched_components, requested_at, finished_at)
      VALUES ($1, 'ADHOC', $2, $3, $4::text::jsonb, $5::text::jsonb, $6, $7, $8, $9::text::jsonb,
              $10::text::jsonb, $11::text::jsonb, $12, $13, $14, $15::text::jsonb, now(), now())
      """;

  private static final String INSERT_COMPONENT =
      """
      INSERT INTO image_components (image_digest, ecosystem, name, version, purl, release,
                                    alternate_name, match_version)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT DO NOTHING
      """;

  private static final String INSERT_KNOWN =
      """
      INSERT INTO known_findings (digest, purl, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
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
  private final Outbox outbox;
  private final FencedQueue queue;

  public ScanRepository(Pool pool, Outbox outbox) {
    this.pool = pool;
    this.outbox = outbox;
    this.queue = new FencedQueue(pool, TABLE);
  }

  /**
   * Records the scan a successful build.done asks for, PENDING. A redelivered event changes
   * nothing.
   *
   * @return whether a new scan was recorded
   */
  public Uni<Boolean> request(String scanId, Envelope<BuildDone> event, ScanPolicy policy) {
    BuildDone build = event.data();
    Tuple values =
        Tuple.from(
            Arrays.asList(
                scanId,
                event.id(),
                event.runId(),
                event.subject(),
                event.commitSha(),
                build.image().reference(),
                build.image().digest(),
                build.sbomRef(),
                event.source(),
                new String(EventJson.writeEvent(event), StandardCharsets.UTF_8),
                json(policy),
                json(build.ignores()),
                event.time()));
    return pool.preparedQuery(REQUEST).execute(values).map(rows -> rows.rowCount() == 1);
  }

  /** Claims the oldest scan that waits or whose lease expired, for {@code owner}. */
  public Uni<Optional<ClaimedScan>> claim(String owner, Duration lease) {
    return queue.claimOne(
        owner,
        lease,
        CLAIMED,
        (held, row) ->
            new ClaimedScan(
                held,
                EventJson.readEvent(
                    row.getString("cause").getBytes(StandardCharsets.UTF_8), EventType.BUILD_DONE),
                read(row.getString("policy"), ScanPolicy.class),
                read(row.getString("ignores"), IGNORES),
                row.getString("sbom_ref")));
  }

  /** Extends the lease of a claimed scan: {@link Renewal#LOST} when another worker has it now. */
  public Uni<Renewal> renew(ClaimedScan scan, Duration lease) {
    return queue.renew(scan.lease(), lease);
  }

  /**
   * Puts a claimed scan back to wait {@code delay}, noting why; fenced: false when the lease is no
   * longer this claim's.
   */
  public Uni<Boolean> retryLater(ClaimedScan scan, String reason, Duration delay) {
    return queue.fenced(
        scan.lease(),
        connection ->
            connection
                .preparedQuery(RETRY_LATER)
                .execute(Tuple.of(scan.scanId(), reason, delay.toMillis()))
                .replaceWith(true));
  }

  /**
   * Stores the outcome of a claimed build scan, the image's components and the events it causes, in
   * one transaction; fenced: nothing is written when the lease is no longer this claim's.
   *
   * @return whether this worker finished the scan
   */
  public Uni<Boolean> finish(ClaimedScan scan, ScanOutcome outcome, List<OutboxEvent> events) {
    String digest = scan.build().data().image().digest();
    return queue.fenced(
        scan.lease(),
        connection ->
            connection
                .preparedQuery(FINISH)
                .execute(finishTuple(scan.scanId(), outcome))
                .flatMap(done -> insertComponents(connection, digest, outcome.packages()))
                .flatMap(done -> insertKnown(connection, digest, outcome))
                .flatMap(done -> outbox.add(Tx.of(connection), events))
                .replaceWith(true));
  }

  /** Stores a finished ad-hoc scan. */
  public Uni<Void> insertAdhoc(
      String scanId,
      String application,
      String requestedBy,
      ScanPolicy policy,
      List<VulnerabilityIgnore> ignores,
      ScanOutcome outcome) {
    Tuple values =
        Tuple.from(
            Arrays.asList(
                scanId,
                application,
                requestedBy,
                json(policy),
                json(ignores),
                outcome.gate().verdict().name(),
                outcome.gate().reason(),
                outcome.dbVersion(),
                json(outcome.gate().counts()),
                json(outcome.gate().findings()),
                json(outcome.gate().licenseViolations()),
                outcome.packages().size(),
                outcome.unmatched().size(),
                outcome.sbom() == null ? null : io.vertx.core.buffer.Buffer.buffer(outcome.sbom()),
                json(outcome.unmatched())));
    return pool.preparedQuery(INSERT_ADHOC).execute(values).replaceWithVoid();
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

  private static Uni<Void> insertComponents(
      SqlConnection connection, String digest, List<InstalledPackage> packages) {
    if (packages.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Tuple> rows =
        packages.stream()
            .map(
                p ->
                    Tuple.from(
                        Arrays.asList(
                            digest,
                            p.ecosystem().osvName(),
                            p.name(),
                            p.installedVersion(),
                            p.purl(),
                            p.release(),
                            p.alternateName(),
                            p.version())))
            .toList();
    return connection.preparedQuery(INSERT_COMPONENT).executeBatch(rows).replaceWithVoid();
  }

  /** Every name of every finding of the scan, so re-evaluations report only what is new. */
  private static Uni<Void> insertKnown(
      SqlConnection connection, String digest, ScanOutcome outcome) {
    List<Tuple> rows = new ArrayList<>();
    for (Finding finding : outcome.gate().findings()) {
      rows.add(Tuple.of(digest, finding.packageUrl(), finding.advisoryId()));
      finding.aliases().forEach(a -> rows.add(Tuple.of(digest, finding.packageUrl(), a)));
    }
    if (rows.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return connection.preparedQuery(INSERT_KNOWN).executeBatch(rows).replaceWithVoid();
  }

  private static Tuple finishTuple(String scanId, ScanOutcome outcome) {
    return Tuple.from(
        Arrays.asList(
            scanId,
            outcome.gate().verdict().name(),
            outcome.gate().reason(),
            outcome.dbVersion(),
            json(outcome.gate().counts()),
            json(outcome.gate().findings()),
            json(outcome.gate().licenseViolations()),
            outcome.packages().size(),
            outcome.unmatched().size(),
            outcome.sbom() == null ? null : io.vertx.core.buffer.Buffer.buffer(outcome.sbom()),
            json(outcome.unmatched())));
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
        read(row.getString("policy"), ScanPolicy.class),
        read(row.getString("ignores"), IGNORES),
        row.getString("db_version"),
        counts == null ? null : read(counts, COUNTS),
        row.getInteger("components"),
        row.getInteger("unmatched"),
        row.getOffsetDateTime("requested_at"),
        row.getOffsetDateTime("finished_at"),
        detail ? readOrEmpty(row.getString("findings"), FINDINGS) : null,
        detail ? readOrEmpty(row.getString("license_violations"), VIOLATIONS) : null,
        detail ? readOrEmpty(row.getString("unmatched_components"), UNMATCHED) : null);
  }

  private static <T> List<T> readOrEmpty(String json, TypeReference<List<T>> type) {
    return json == null ? List.of() : read(json, type);
  }

  private static String json(Object value) {
    try {
      return EventJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return EventJson.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return EventJson.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A scan a worker claimed.
   *
   * @param lease the lease on the scan's row (owner, fencing token, attempts so far)
   * @param build the build.done that asked for it
   * @param policy the policy to apply
   * @param ignores the repository's ignores
   * @param sbomRef where the SBOM is
   */
  public record ClaimedScan(
      Lease lease,
      Envelope<BuildDone> build,
      ScanPolicy policy,
      List<VulnerabilityIgnore> ignores,
      String sbomRef) {

    /** The scan. */
    public String scanId() {
      return lease.id();
    }

    /** The worker holding it. */
    public String owner() {
      return lease.owner();
    }

    /** Tries so far, this one included. */
    public int attempts() {
      return lease.attempts();
    }
  }

  /** Where a page ends: the last scan's time and id. */
  public record Position(OffsetDateTime requestedAt, String scanId) {}

  /** A scan's SBOM, null while the scan has not read it. */
  public record StoredSbom(ScanStatus status, byte[] sbom) {}
}

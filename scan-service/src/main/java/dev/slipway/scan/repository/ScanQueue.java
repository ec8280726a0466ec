package dev.slipway.scan.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.sbom.InstalledPackage;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.QueueTable;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The build scans as work/'s leased queue, the write side of scan-service's {@code scans} table. A
 * build's scan is recorded once per build.done (its id is derived from the event id), claimed by
 * one worker at a time with a lease, and finished in one transaction with the events it causes,
 * only while the claim's lease is still its holder's. An ad-hoc scan is stored finished, with the
 * same outcome columns. The read side is {@link ScanQueries}.
 */
@ApplicationScoped
public class ScanQueue {

  private static final TypeReference<List<VulnerabilityIgnore>> IGNORES = new TypeReference<>() {};

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

  private final Pool pool;
  private final FencedQueue queue;

  public ScanQueue(Pool pool, Outbox outbox) {
    this.pool = pool;
    this.queue = new FencedQueue(pool, outbox, TABLE);
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
                ScanJson.write(policy),
                ScanJson.write(build.ignores()),
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
                ScanJson.read(row.getString("policy"), ScanPolicy.class),
                ScanJson.read(row.getString("ignores"), IGNORES),
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
    return queue.finish(
        scan.lease(),
        connection ->
            connection
                .preparedQuery(FINISH)
                .execute(finishTuple(scan.scanId(), outcome))
                .flatMap(done -> insertComponents(connection, digest, outcome.packages()))
                .flatMap(done -> insertKnown(connection, digest, outcome)),
        events);
  }

  /** Stores a finished ad-hoc scan. */
  public Uni<Void> insertAdhoc(
      String scanId,
      String application,
      String requestedBy,
      ScanPolicy policy,
      List<VulnerabilityIgnore> ignores,
      ScanOutcome outcome) {
    List<Object> values =
        new ArrayList<>(
            Arrays.asList(
                scanId, application, requestedBy, ScanJson.write(policy), ScanJson.write(ignores)));
    values.addAll(outcomeValues(outcome));
    return pool.preparedQuery(INSERT_ADHOC).execute(Tuple.from(values)).replaceWithVoid();
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
    List<Object> values = new ArrayList<>();
    values.add(scanId);
    values.addAll(outcomeValues(outcome));
    return Tuple.from(values);
  }

  /** The outcome columns a finish and an ad-hoc scan write, in the order both statements bind. */
  private static List<Object> outcomeValues(ScanOutcome outcome) {
    return Arrays.asList(
        outcome.gate().verdict().name(),
        outcome.gate().reason(),
        outcome.dbVersion(),
        ScanJson.write(outcome.gate().counts()),
        ScanJson.write(outcome.gate().findings()),
        ScanJson.write(outcome.gate().licenseViolations()),
        outcome.packages().size(),
        outcome.unmatched().size(),
        outcome.sbom() == null ? null : io.vertx.core.buffer.Buffer.buffer(outcome.sbom()),
        ScanJson.write(outcome.unmatched()));
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
}

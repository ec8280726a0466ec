package dev.slipway.scan.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.EventJson;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.QueueTable;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Re-evaluations of the running digests after an import changed advisories: queued in the import's
 * transaction, claimed by one instance at a time from work/'s leased queue (owner and fencing
 * token), and finished in one transaction with the exposures and vulnerability.found events they
 * produce, only while the claim's lease is still its holder's. Also reads what a re-evaluation
 * needs: the names already known per digest and the policy each digest was scanned under.
 */
@ApplicationScoped
public class ReevaluationRepository {

  private static final TypeReference<List<VulnerabilityIgnore>> IGNORES = new TypeReference<>() {};

  /** Tries before a re-evaluation that keeps failing is given up (and logged). */
  public static final int MAX_ATTEMPTS = 5;

  private static final String ENQUEUE =
      "INSERT INTO reevaluations (db_version, advisories, status) VALUES ($1, $2, 'QUEUED')";

  private static final String ENQUEUE_DIGEST =
      """
      INSERT INTO reevaluations (db_version, advisories, digest, status)
      SELECT version, '{}', $1, 'QUEUED' FROM advisory_database
      """;

  /**
   * Re-evaluations as work/'s leased queue: QUEUED ones, or RUNNING ones whose lease ran out, are
   * claimed oldest first and become RUNNING.
   */
  public static final QueueTable TABLE = QueueTable.of("reevaluations", "id", "created_at");

  private static final String CLAIMED =
      "SELECT db_version, advisories, digest FROM reevaluations WHERE id = $1";

  private static final String FINISH =
      """
      UPDATE reevaluations SET status = 'DONE', found = $2, finished_at = now(),
                               lease_owner = NULL, lease_until = NULL
      WHERE id = $1
      """;

  private static final String GIVE_BACK =
      """
      UPDATE reevaluations SET status = CASE WHEN attempts >= $2 THEN 'FAILED' ELSE 'QUEUED' END,
                               lease_owner = NULL, lease_until = NULL
      WHERE id = $1
      """;

  private static final String KNOWN =
      "SELECT digest, purl, name FROM known_findings WHERE digest = ANY($1)";

  private static final String INSERT_KNOWN =
      "INSERT INTO known_findings (digest, purl, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

  private static final String POLICIES =
      """
      SELECT DISTINCT ON (image_digest) image_digest, policy::text AS policy,
             ignores::text AS ignores
      FROM scans
      WHERE image_digest = ANY($1) AND status IN ('PASSED', 'FAILED', 'ERROR')
      ORDER BY image_digest, finished_at DESC
      """;

  private static final String INSERT_EXPOSURE =
      """
      INSERT INTO exposures (event_id, application, environment, digest, image, purl, version,
                             advisory_id, aliases, severity, gated_as, fixed_version, db_version)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private final Pool pool;
  private final FencedQueue queue;

  public ReevaluationRepository(Pool pool, Outbox outbox) {
    this.pool = pool;
    this.queue = new FencedQueue(pool, outbox, TABLE);
  }

  /** Queues a re-evaluation for the advisories an import changed, in the import's transaction. */
  public Uni<Void> enqueue(SqlConnection connection, String dbVersion, List<String> advisories) {
    return connection
        .preparedQuery(ENQUEUE)
        .execute(Tuple.of(dbVersion, advisories.toArray(String[]::new)))
        .replaceWithVoid();
  }

  /**
   * Queues a re-evaluation of one digest that began to serve: its scan may predate advisories
   * imported since, which no import's re-evaluation saw running.
   */
  public Uni<Void> enqueueDigest(String digest) {
    return pool.preparedQuery(ENQUEUE_DIGEST).execute(Tuple.of(digest)).replaceWithVoid();
  }

  /** Claims the oldest queued re-evaluation (or one whose lease ran out) for {@code owner}. */
  public Uni<Optional<Claimed>> claim(String owner, Duration lease) {
    return queue.claimOne(owner, lease, CLAIMED, Claimed::of);
  }

  /** Extends the lease: {@link Renewal#LOST} when another instance has the re-evaluation now. */
  public Uni<Renewal> renew(Claimed claimed, Duration lease) {
    return queue.renew(claimed.lease(), lease);
  }

  /**
   * Puts a failed re-evaluation back (or gives it up after {@link #MAX_ATTEMPTS}); fenced: false,
   * and nothing changed, when the lease is no longer this claim's.
   */
  public Uni<Boolean> giveBack(Claimed claimed) {
    return queue.fenced(
        claimed.lease(),
        connection ->
            connection
                .preparedQuery(GIVE_BACK)
                .execute(Tuple.of(claimed.id(), MAX_ATTEMPTS))
                .replaceWith(true));
  }

  /** Names already known per digest and purl: {@code digest -> purl -> names}. */
  public Uni<Map<String, Map<String, Set<String>>>> known(List<String> digests) {
    return pool.preparedQuery(KNOWN)
        .execute(Tuple.of((Object) digests.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, Map<String, Set<String>>> known = new HashMap<>();
              for (Row row : rows) {
                known
                    .computeIfAbsent(row.getString("digest"), d -> new HashMap<>())
                    .computeIfAbsent(row.getString("purl"), p -> new HashSet<>())
                    .add(row.getString("name"));
              }
              return known;
            });
  }

  /** The policy and ignores each digest's latest scan applied. */
  public Uni<Map<String, ScannedUnder>> policies(List<String> digests) {
    return pool.preparedQuery(POLICIES)
        .execute(Tuple.of((Object) digests.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, ScannedUnder> policies = new HashMap<>();
              for (Row row : rows) {
                try {
                  policies.put(
                      row.getString("image_digest"),
                      new ScannedUnder(
                          EventJson.mapper().readValue(row.getString("policy"), ScanPolicy.class),
                          EventJson.mapper().readValue(row.getString("ignores"), IGNORES)));
                } catch (JsonProcessingException e) {
                  throw new UncheckedIOException(e);
                }
              }
              return policies;
            });
  }

  /**
   * Finishes a claimed re-evaluation in one transaction: the names it now knows, the exposures it
   * found and their events; fenced: nothing is written when the lease is no longer this claim's.
   *
   * @return whether this claim finished it
   */
  public Uni<Boolean> finish(
      Claimed claimed,
      List<KnownName> known,
      List<ExposureRow> exposures,
      List<OutboxEvent> events) {
    return queue.finish(
        claimed.lease(),
        connection ->
            connection
                .preparedQuery(FINISH)
                .execute(Tuple.of(claimed.id(), exposures.size()))
                .flatMap(
                    done ->
                        batch(
                            connection,
                            INSERT_KNOWN,
                            known.stream()
                                .map(k -> Tuple.of(k.digest(), k.purl(), k.name()))
                                .toList()))
                .flatMap(
                    done ->
                        batch(
                            connection,
                            INSERT_EXPOSURE,
                            exposures.stream().map(ExposureRow::tuple).toList())),
        events);
  }

  private static Uni<Void> batch(SqlConnection connection, String sql, List<Tuple> rows) {
    if (rows.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Uni<Void>> chunks = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += 1000) {
      List<Tuple> chunk = rows.subList(from, Math.min(rows.size(), from + 1000));
      chunks.add(connection.preparedQuery(sql).executeBatch(chunk).replaceWithVoid());
    }
    Uni<Void> all = Uni.createFrom().voidItem();
    for (Uni<Void> chunk : chunks) {
      all = all.flatMap(done -> chunk);
    }
    return all;
  }

  /**
   * A claimed re-evaluation.
   *
   * @param lease the lease on its row (owner, fencing token, attempts so far)
   * @param dbVersion the database version when it was queued
   * @param advisories the advisories an import changed; empty for a digest's re-evaluation
   * @param digest the digest that began to serve; null for an import's re-evaluation
   */
  public record Claimed(Lease lease, String dbVersion, List<String> advisories, String digest) {

    static Claimed of(Lease lease, Row row) {
      return new Claimed(
          lease,
          row.getString("db_version"),
          Arrays.asList(row.getArrayOfStrings("advisories")),
          row.getString("digest"));
    }

    /** The re-evaluation. */
    public String id() {
      return lease.id();
    }

    /** Tries so far, this one included. */
    public int attempts() {
      return lease.attempts();
    }
  }

  /** A digest's latest scan: the policy and ignores it was judged under. */
  public record ScannedUnder(ScanPolicy policy, List<VulnerabilityIgnore> ignores) {}

  /** A name (advisory id or alias) now known for a digest's component. */
  public record KnownName(String digest, String purl, String name) {}

  /** A finding newly found on a running digest, as stored for {@code GET /api/exposure}. */
  public record ExposureRow(
      String eventId,
      String application,
      String environment,
      String digest,
      String image,
      String purl,
      String version,
      String advisoryId,
      List<String> aliases,
      String severity,
      String gatedAs,
      String fixedVersion,
      String dbVersion) {

    Tuple tuple() {
      return Tuple.from(
          Arrays.asList(
              eventId,
              application,
              environment,
              digest,
              image,
              purl,
              version,
              advisoryId,
              aliases.toArray(String[]::new),
              severity,
              gatedAs,
              fixedVersion,
              dbVersion));
    }
  }
}

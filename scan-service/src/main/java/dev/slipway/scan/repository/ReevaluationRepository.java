package dev.slipway.scan.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.EventJson;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.VulnerabilityIgnore;
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
 * transaction, claimed by one instance at a time with a lease, and finished in one transaction with
 * the exposures and vulnerability.found events they produce, only by the instance that still holds
 * the lease. Also reads what a re-evaluation needs: the names already known per digest and the
 * policy each digest was scanned under.
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

  private static final String CLAIM =
      """
      UPDATE reevaluations SET status = 'RUNNING', lease_owner = $1,
                               lease_until = now() + $2 * interval '1 millisecond',
                               attempts = attempts + 1
      WHERE id = (
        SELECT id FROM reevaluations
        WHERE status = 'QUEUED' OR (status = 'RUNNING' AND lease_until < now())
        ORDER BY id LIMIT 1
        FOR UPDATE SKIP LOCKED)
      RETURNING id, db_version, advisories, digest, attempts
      """;

  private static final String RENEW =
      """
      UPDATE reevaluations SET lease_until = now() + $3 * interval '1 millisecond'
      WHERE id = $1 AND lease_owner = $2 AND status = 'RUNNING'
      """;

  private static final String FINISH =
      """
      UPDATE reevaluations SET status = 'DONE', found = $3, finished_at = now(),
                               lease_owner = NULL, lease_until = NULL
      WHERE id = $1 AND lease_owner = $2 AND status = 'RUNNING'
      """;

  private static final String GIVE_BACK =
      """
      UPDATE reevaluations SET status = CASE WHEN attempts >= $3 THEN 'FAILED' ELSE 'QUEUED' END,
                               lease_owner = NULL, lease_until = NULL
      WHERE id = $1 AND lease_owner = $2 AND status = 'RUNNING'
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

  private static final String INSERT_OUTBOX =
      """
      INSERT INTO outbox (event_id, topic, application, event) VALUES ($1, $2, $3, $4)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private final Pool pool;

  public ReevaluationRepository(Pool pool) {
    this.pool = pool;
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

  /** Claims the oldest queued re-evaluation (or one whose lease expired) for {@code owner}. */
  public Uni<Optional<Claimed>> claim(String owner, Duration lease) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(owner, lease.toMillis()))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                return Optional.empty();
              }
              Row row = rows.iterator().next();
              return Optional.of(
                  new Claimed(
                      row.getLong("id"),
                      row.getString("db_version"),
                      Arrays.asList(row.getArrayOfStrings("advisories")),
                      row.getString("digest"),
                      row.getInteger("attempts")));
            });
  }

  /** Extends the lease; false when {@code owner} no longer holds it. */
  public Uni<Boolean> renew(long id, String owner, Duration lease) {
    return pool.preparedQuery(RENEW)
        .execute(Tuple.of(id, owner, lease.toMillis()))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Puts a failed re-evaluation back (or gives it up after {@link #MAX_ATTEMPTS}). */
  public Uni<Boolean> giveBack(long id, String owner) {
    return pool.preparedQuery(GIVE_BACK)
        .execute(Tuple.of(id, owner, MAX_ATTEMPTS))
        .map(rows -> rows.rowCount() == 1);
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
   * found and their events; nothing is written when {@code owner} lost the lease meanwhile.
   *
   * @return whether this instance finished it
   */
  public Uni<Boolean> finish(
      long id,
      String owner,
      List<KnownName> known,
      List<ExposureRow> exposures,
      List<OutboxEvent> events) {
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(FINISH)
                .execute(Tuple.of(id, owner, exposures.size()))
                .flatMap(
                    rows -> {
                      if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                      }
                      return batch(
                              connection,
                              INSERT_KNOWN,
                              known.stream()
                                  .map(k -> Tuple.of(k.digest(), k.purl(), k.name()))
                                  .toList())
                          .flatMap(
                              done ->
                                  batch(
                                      connection,
                                      INSERT_EXPOSURE,
                                      exposures.stream().map(ExposureRow::tuple).toList()))
                          .flatMap(
                              done ->
                                  batch(
                                      connection,
                                      INSERT_OUTBOX,
                                      events.stream()
                                          .map(
                                              e ->
                                                  Tuple.of(
                                                      e.eventId(),
                                                      e.topic(),
                                                      e.application(),
                                                      e.json()))
                                          .toList()))
                          .replaceWith(true);
                    }));
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
   * @param id its id
   * @param dbVersion the database version when it was queued
   * @param advisories the advisories an import changed; empty for a digest's re-evaluation
   * @param digest the digest that began to serve; null for an import's re-evaluation
   * @param attempts tries so far, this one included
   */
  public record Claimed(
      long id, String dbVersion, List<String> advisories, String digest, int attempts) {}

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

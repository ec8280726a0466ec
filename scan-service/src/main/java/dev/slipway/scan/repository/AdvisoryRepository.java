package dev.slipway.scan.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.events.Severity;
import dev.slipway.scan.match.Candidate;
import dev.slipway.scan.osv.Advisory;
import dev.slipway.scan.osv.AffectedPackage;
import dev.slipway.scan.osv.AffectedPackage.Range;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.sbom.InstalledPackage;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OSV vulnerability database in scan-service's PostgreSQL: advisories with their aliases and
 * severity, one row per affected package for lookups by (ecosystem, name), and the state of the
 * database as a whole (whether it can judge a scan, and its version).
 */
@ApplicationScoped
public class AdvisoryRepository {

  /** The database version when no advisory is imported yet. */
  public static final String EMPTY_VERSION = "empty";

  private static final TypeReference<List<Range>> RANGES = new TypeReference<>() {};

  private static final String UPSERT =
      """
      INSERT INTO advisories (id, aliases, modified, published, withdrawn, summary, severity,
                              cvss_score, cvss_vector, document, imported_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, now())
      ON CONFLICT (id) DO UPDATE SET
        aliases = EXCLUDED.aliases, modified = EXCLUDED.modified, published = EXCLUDED.published,
        withdrawn = EXCLUDED.withdrawn, summary = EXCLUDED.summary, severity = EXCLUDED.severity,
        cvss_score = EXCLUDED.cvss_score, cvss_vector = EXCLUDED.cvss_vector,
        document = EXCLUDED.document, imported_at = EXCLUDED.imported_at
      WHERE advisories.modified < EXCLUDED.modified
      RETURNING id, (xmax = 0) AS inserted
      """;

  private static final String DELETE_AFFECTED = "DELETE FROM affected WHERE advisory_id = ANY($1)";

  private static final String INSERT_AFFECTED =
      """
      INSERT INTO affected (advisory_id, ecosystem, release, name, ranges, versions)
      VALUES ($1, $2, $3, $4, $5::text::jsonb, $6)
      """;

  private static final String AFFECTED_COLUMNS =
      """
      a.advisory_id, v.aliases, v.severity, a.ecosystem, a.release, a.name, a.ranges::text AS ranges,
      a.versions
      """;

  private static final String AFFECTED_BY_PACKAGE =
      "SELECT "
          + AFFECTED_COLUMNS
          + """
          FROM affected a JOIN advisories v ON v.id = a.advisory_id
          WHERE (a.ecosystem, a.name) IN (
                  SELECT e, n COLLATE "C" FROM unnest($1::text[], $2::text[]) AS t(e, n))
            AND v.withdrawn IS NULL
          """;

  // A Go module path covers the package paths below it (golang.org/x/text covers
  // golang.org/x/text/language); "0" is the character after "/", so each module is one range scan
  // of the (ecosystem, name) index, which LATERAL makes the planner do per module.
  private static final String AFFECTED_BELOW_GO_MODULE =
      "SELECT t.module, "
          + AFFECTED_COLUMNS
          + """
          FROM unnest($1::text[]) AS t(module)
          CROSS JOIN LATERAL (
            SELECT * FROM affected
            WHERE ecosystem = 'Go'
              AND name > (t.module || '/') COLLATE "C"
              AND name < (t.module || '0') COLLATE "C") a
          JOIN advisories v ON v.id = a.advisory_id
          WHERE v.withdrawn IS NULL
          """;

  private static final String AFFECTED_OF_ADVISORIES =
      "SELECT "
          + AFFECTED_COLUMNS
          + """
          FROM affected a JOIN advisories v ON v.id = a.advisory_id
          WHERE a.advisory_id = ANY($1) AND v.withdrawn IS NULL
          """;

  private static final String BY_ID_OR_ALIAS =
      """
      SELECT id, aliases, modified, published, withdrawn, summary, severity, cvss_score,
             cvss_vector, document
      FROM advisories WHERE id = $1 OR aliases @> ARRAY[$1]::text[]
      ORDER BY (id = $1) DESC, id
      """;

  private static final String SUMMARIES =
      "SELECT id, summary, severity, cvss_score, aliases FROM advisories WHERE id = ANY($1)";

  private static final String DATABASE =
      "SELECT state, version, digest, newest, advisories, reason, changed_at FROM advisory_database";

  // The version identifies the content: the newest `modified` plus a digest over every (id,
  // modified, withdrawn) in id order; an advisory only changes with a newer `modified`.
  private static final String REFRESH =
      """
      WITH content AS (
        SELECT count(*) AS total, max(modified) AS newest,
               encode(sha256(convert_to(coalesce(string_agg(
                 id || ' ' || (extract(epoch FROM modified) * 1000000)::bigint
                    || CASE WHEN withdrawn IS NULL THEN '' ELSE ' withdrawn' END,
                 E'\n' ORDER BY id COLLATE "C"), ''), 'UTF8')), 'hex') AS digest
        FROM advisories)
      UPDATE advisory_database SET
        state = CASE WHEN content.total = 0 THEN 'EMPTY' ELSE 'READY' END,
        newest = content.newest, digest = content.digest, advisories = content.total,
        version = CASE WHEN content.total = 0 THEN 'empty'
                  ELSE to_char(content.newest AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                       || '@sha256:' || content.digest END,
        reason = NULL, changed_at = now()
      FROM content
      RETURNING state, version, advisory_database.digest, advisory_database.newest,
                advisory_database.advisories, reason, changed_at
      """;

  private static final String MARK_FAILED =
      """
      UPDATE advisory_database SET state = 'FAILED', reason = $1, changed_at = now()
      RETURNING state, version, digest, newest, advisories, reason, changed_at
      """;

  private static final String QUARANTINE =
      """
      INSERT INTO advisory_quarantine (source, file, reason, line, col, pointer)
      VALUES ($1, $2, $3, $4, $5, $6)
      """;

  private static final String RECENT_QUARANTINE =
      """
      SELECT source, file, reason, line, col, pointer, quarantined_at FROM advisory_quarantine
      ORDER BY quarantined_at DESC, id DESC LIMIT 20
      """;

  private static final String TOTALS =
      """
      SELECT count(*) AS total, count(*) FILTER (WHERE withdrawn IS NOT NULL) AS withdrawn,
             max(modified) AS newest
      FROM advisories
      """;

  private static final String PER_ECOSYSTEM =
      """
      SELECT ecosystem, count(DISTINCT advisory_id) AS entries
      FROM affected GROUP BY ecosystem ORDER BY ecosystem
      """;

  private final Pool pool;

  public AdvisoryRepository(Pool pool) {
    this.pool = pool;
  }

  /** The pool, for the importer's one transaction per import. */
  public Pool pool() {
    return pool;
  }

  /**
   * Writes a batch of advisories on {@code connection}: each replaces a stored one only when its
   * {@code modified} is newer; a replaced or new advisory gets its affected rows anew (none when
   * withdrawn).
   */
  public Uni<UpsertOutcome> upsert(SqlConnection connection, List<Advisory> batch) {
    if (batch.isEmpty()) {
      return Uni.createFrom().item(new UpsertOutcome(0, 0, 0, List.of()));
    }
    List<Tuple> rows = batch.stream().map(AdvisoryRepository::advisoryTuple).toList();
    return connection
        .preparedQuery(UPSERT)
        .executeBatch(rows)
        .flatMap(
            result -> {
              Set<String> changed = new HashSet<>();
              int inserted = 0;
              for (RowSet<Row> set = result; set != null; set = set.next()) {
                for (Row row : set) {
                  changed.add(row.getString("id"));
                  if (row.getBoolean("inserted")) {
                    inserted++;
                  }
                }
              }
              UpsertOutcome outcome =
                  new UpsertOutcome(
                      inserted,
                      changed.size() - inserted,
                      batch.size() - changed.size(),
                      List.copyOf(changed));
              if (changed.isEmpty()) {
                return Uni.createFrom().item(outcome);
              }
              List<Tuple> affected = new ArrayList<>();
              Map<String, Advisory> latest = new LinkedHashMap<>();
              batch.forEach(a -> latest.merge(a.id(), a, AdvisoryRepository::newer));
              for (Advisory advisory : latest.values()) {
                if (changed.contains(advisory.id()) && !advisory.isWithdrawn()) {
                  advisory.affected().forEach(p -> affected.add(affectedTuple(advisory.id(), p)));
                }
              }
              Uni<?> delete =
                  connection
                      .preparedQuery(DELETE_AFFECTED)
                      .execute(Tuple.of(changed.toArray(String[]::new)));
              return delete
                  .flatMap(
                      deleted ->
                          affected.isEmpty()
                              ? Uni.createFrom().nullItem()
                              : connection.preparedQuery(INSERT_AFFECTED).executeBatch(affected))
                  .replaceWith(outcome);
            });
  }

  /**
   * Entries naming the packages of {@code packages} (their names and alternate names), Go modules
   * also finding the package paths below them.
   */
  public Uni<List<Candidate>> candidatesFor(List<InstalledPackage> packages) {
    List<String> ecosystems = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Set<String> modules = new LinkedHashSet<>();
    for (InstalledPackage pkg : packages) {
      ecosystems.add(pkg.ecosystem().osvName());
      names.add(pkg.name());
      if (pkg.alternateName() != null) {
        ecosystems.add(pkg.ecosystem().osvName());
        names.add(pkg.alternateName());
      }
      if (pkg.ecosystem() == Ecosystem.GO) {
        modules.add(pkg.name());
      }
    }
    if (names.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    Uni<List<Candidate>> exact =
        pool.preparedQuery(AFFECTED_BY_PACKAGE)
            .execute(Tuple.of(ecosystems.toArray(String[]::new), names.toArray(String[]::new)))
            .map(rows -> map(rows, null));
    if (modules.isEmpty()) {
      return exact;
    }
    Uni<List<Candidate>> below =
        pool.preparedQuery(AFFECTED_BELOW_GO_MODULE)
            .execute(Tuple.of((Object) modules.toArray(String[]::new)))
            .map(rows -> map(rows, "module"));
    return Uni.combine()
        .all()
        .unis(exact, below)
        .with(
            (a, b) -> {
              List<Candidate> all = new ArrayList<>(a);
              all.addAll(b);
              return all;
            });
  }

  /** Entries of the given advisories. */
  public Uni<List<Candidate>> candidatesOf(List<String> advisoryIds) {
    return pool.preparedQuery(AFFECTED_OF_ADVISORIES)
        .execute(Tuple.of(advisoryIds.toArray(String[]::new)))
        .map(rows -> map(rows, null));
  }

  /** Advisories whose id or an alias is {@code id}, the one with that id first. */
  public Uni<List<StoredAdvisory>> findByIdOrAlias(String id) {
    return pool.preparedQuery(BY_ID_OR_ALIAS)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              List<StoredAdvisory> found = new ArrayList<>();
              for (Row row : rows) {
                found.add(
                    new StoredAdvisory(
                        row.getString("id"),
                        Arrays.asList(row.getArrayOfStrings("aliases")),
                        row.getOffsetDateTime("modified"),
                        row.getOffsetDateTime("published"),
                        row.getOffsetDateTime("withdrawn"),
                        row.getString("summary"),
                        Severity.valueOf(row.getString("severity")),
                        row.getDouble("cvss_score"),
                        row.getString("cvss_vector"),
                        toJson(row.getJsonObject("document"))));
              }
              return found;
            });
  }

  /** Summary, severity and score of each advisory in {@code ids}, by id. */
  public Uni<Map<String, AdvisorySummary>> summaries(List<String> ids) {
    return pool.preparedQuery(SUMMARIES)
        .execute(Tuple.of(ids.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, AdvisorySummary> byId = new LinkedHashMap<>();
              for (Row row : rows) {
                byId.put(
                    row.getString("id"),
                    new AdvisorySummary(
                        row.getString("id"),
                        row.getString("summary"),
                        Severity.valueOf(row.getString("severity")),
                        row.getDouble("cvss_score")));
              }
              return byId;
            });
  }

  /** The database as a whole, read on {@code client}. */
  public Uni<DatabaseState> database(SqlClient client) {
    return client.query(DATABASE).execute().map(rows -> state(rows.iterator().next()));
  }

  /** The database as a whole. */
  public Uni<DatabaseState> database() {
    return database(pool);
  }

  /**
   * Recomputes the database's state from its content after an import, on the import's connection:
   * READY (or EMPTY), a new version, no failure.
   */
  public Uni<DatabaseState> refresh(SqlConnection connection) {
    return connection.query(REFRESH).execute().map(rows -> state(rows.iterator().next()));
  }

  /** Records that the configured import failed: scans end ERROR with {@code reason}. */
  public Uni<DatabaseState> markFailed(String reason) {
    return pool.preparedQuery(MARK_FAILED)
        .execute(Tuple.of(reason))
        .map(rows -> state(rows.iterator().next()));
  }

  /** Records files an import left out, on the import's connection. */
  public Uni<Void> quarantine(SqlConnection connection, String source, List<Quarantined> files) {
    if (files.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Tuple> rows =
        files.stream()
            .map(
                f ->
                    Tuple.from(
                        Arrays.asList(
                            source, f.file(), f.reason(), f.line(), f.column(), f.pointer())))
            .toList();
    return connection.preparedQuery(QUARANTINE).executeBatch(rows).replaceWithVoid();
  }

  private static DatabaseState state(Row row) {
    return new DatabaseState(
        DatabaseState.State.valueOf(row.getString("state")),
        row.getString("version"),
        row.getString("digest"),
        row.getOffsetDateTime("newest"),
        row.getLong("advisories"),
        row.getString("reason"),
        row.getOffsetDateTime("changed_at"));
  }

  /** Entries per ecosystem, totals, state, version and the files recently quarantined. */
  public Uni<DatabaseStatus> status() {
    Uni<Map<String, Long>> perEcosystem =
        pool.query(PER_ECOSYSTEM)
            .execute()
            .map(
                rows -> {
                  Map<String, Long> counts = new LinkedHashMap<>();
                  rows.forEach(
                      row -> counts.put(row.getString("ecosystem"), row.getLong("entries")));
                  return counts;
                });
    Uni<List<Quarantined>> quarantined =
        pool.query(RECENT_QUARANTINE)
            .execute()
            .map(
                rows -> {
                  List<Quarantined> files = new ArrayList<>();
                  rows.forEach(
                      row ->
                          files.add(
                              new Quarantined(
                                  row.getString("source") + ": " + row.getString("file"),
                                  row.getString("reason"),
                                  row.getInteger("line"),
                                  row.getInteger("col"),
                                  row.getString("pointer"))));
                  return files;
                });
    Uni<Row> totals = pool.query(TOTALS).execute().map(rows -> rows.iterator().next());
    return Uni.combine()
        .all()
        .unis(database(), totals, perEcosystem, quarantined)
        .with(
            (state, total, counts, files) ->
                new DatabaseStatus(
                    state.state(),
                    state.version(),
                    state.reason(),
                    total.getLong("total"),
                    total.getLong("withdrawn"),
                    counts,
                    files));
  }

  private static List<Candidate> map(RowSet<Row> rows, String moduleColumn) {
    List<Candidate> result = new ArrayList<>();
    for (Row row : rows) {
      List<Range> ranges;
      try {
        ranges = EventJson.mapper().readValue(row.getString("ranges"), RANGES);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
      String ecosystem = row.getString("ecosystem");
      String release = row.getString("release");
      result.add(
          new Candidate(
              row.getString("advisory_id"),
              Arrays.asList(row.getArrayOfStrings("aliases")),
              Severity.valueOf(row.getString("severity")),
              release == null ? null : release,
              moduleColumn == null ? null : row.getString(moduleColumn),
              new AffectedPackage(
                  ecosystem,
                  row.getString("name"),
                  ranges,
                  Arrays.asList(row.getArrayOfStrings("versions")))));
    }
    return result;
  }

  private static Advisory newer(Advisory a, Advisory b) {
    return b.modified().isAfter(a.modified()) ? b : a;
  }

  private static Tuple advisoryTuple(Advisory advisory) {
    Advisory.AdvisorySeverity severity = advisory.severity();
    return Tuple.from(
        Arrays.asList(
            advisory.id(),
            advisory.aliases().toArray(String[]::new),
            advisory.modified(),
            advisory.published(),
            advisory.withdrawn(),
            advisory.summary(),
            severity.level().name(),
            severity.score(),
            severity.vector(),
            json(advisory.document())));
  }

  private static Tuple affectedTuple(String advisoryId, AffectedPackage affected) {
    String ranges = json(affected.ranges());
    return Tuple.from(
        Arrays.asList(
            advisoryId,
            Ecosystem.baseName(affected.ecosystem()),
            Ecosystem.ofOsv(affected.ecosystem())
                .map(e -> e.releaseOfOsv(affected.ecosystem()))
                .orElseGet(() -> rawRelease(affected.ecosystem())),
            affected.name(),
            ranges,
            affected.versions().toArray(String[]::new)));
  }

  private static String rawRelease(String osvEcosystem) {
    int colon = osvEcosystem.indexOf(':');
    return colon < 0 ? null : osvEcosystem.substring(colon + 1);
  }

  private static String json(Object value) {
    try {
      return EventJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode toJson(JsonObject object) {
    return EventJson.mapper().valueToTree(object.getMap());
  }

  /**
   * What one upsert batch did.
   *
   * @param inserted advisories new to the database
   * @param updated advisories replaced by a newer {@code modified}
   * @param unchanged advisories already stored as new or newer
   * @param changed the ids inserted or replaced
   */
  public record UpsertOutcome(int inserted, int updated, int unchanged, List<String> changed) {}

  /** An advisory as stored. */
  public record StoredAdvisory(
      String id,
      List<String> aliases,
      OffsetDateTime modified,
      OffsetDateTime published,
      OffsetDateTime withdrawn,
      String summary,
      Severity severity,
      Double cvssScore,
      String cvssVector,
      JsonNode document) {}

  /** The few columns SARIF rules need. */
  public record AdvisorySummary(String id, String summary, Severity severity, Double cvssScore) {}

  /**
   * A file an import left out.
   *
   * @param file its name in the zip or folder
   * @param reason why
   * @param line the line at fault, when known
   * @param column the column at fault, when known
   * @param pointer JSON pointer of the value at fault, when known
   */
  public record Quarantined(
      String file, String reason, Integer line, Integer column, String pointer) {}

  /**
   * The database as a whole.
   *
   * @param state READY, EMPTY or FAILED
   * @param version newest {@code modified} and digest of the content, reported as scan.done's
   *     dbVersion
   * @param reason why the last configured import failed; null unless FAILED
   * @param advisories entries stored, withdrawn ones included
   * @param withdrawn entries withdrawn
   * @param perEcosystem advisories affecting each ecosystem
   * @param quarantined the files imports left out most recently
   */
  public record DatabaseStatus(
      DatabaseState.State state,
      String version,
      String reason,
      long advisories,
      long withdrawn,
      Map<String, Long> perEcosystem,
      List<Quarantined> quarantined) {}
}

package dev.slipway.scan.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.events.Severity;
import dev.slipway.scan.service.Advisory;
import dev.slipway.scan.service.AffectedPackage;
import dev.slipway.scan.service.AffectedPackage.Range;
import dev.slipway.scan.service.Component;
import dev.slipway.scan.service.Ecosystem;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OSV vulnerability database in scan-service's PostgreSQL: advisories with their aliases and
 * severity, and one row per affected package for lookups by (ecosystem, name).
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

  private static final String NEWEST = "SELECT max(modified) AS newest FROM advisories";

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
      return Uni.createFrom().item(new UpsertOutcome(0, 0, 0));
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
                      inserted, changed.size() - inserted, batch.size() - changed.size());
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

  /** Affected rows for the packages of {@code components}, Go modules covering package paths. */
  public Uni<List<AffectedRow>> affectedFor(List<Component> components) {
    String[] ecosystems =
        components.stream().map(c -> c.ecosystem().osvName()).toArray(String[]::new);
    String[] names = components.stream().map(Component::name).toArray(String[]::new);
    String[] modules =
        components.stream()
            .filter(c -> c.ecosystem() == Ecosystem.GO)
            .map(Component::name)
            .distinct()
            .toArray(String[]::new);
    Uni<List<AffectedRow>> exact =
        pool.preparedQuery(AFFECTED_BY_PACKAGE)
            .execute(Tuple.of(ecosystems, names))
            .map(rows -> map(rows, null));
    if (modules.length == 0) {
      return exact;
    }
    Uni<List<AffectedRow>> below =
        pool.preparedQuery(AFFECTED_BELOW_GO_MODULE)
            .execute(Tuple.of((Object) modules))
            .map(rows -> map(rows, "module"));
    return Uni.combine()
        .all()
        .unis(exact, below)
        .with(
            (a, b) -> {
              List<AffectedRow> all = new ArrayList<>(a);
              all.addAll(b);
              return all;
            });
  }

  /** Affected rows of the given advisories. */
  public Uni<List<AffectedRow>> affectedOf(List<String> advisoryIds) {
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

  /** The database version: the newest {@code modified} imported, or {@link #EMPTY_VERSION}. */
  public Uni<String> version(SqlClient client) {
    return client
        .query(NEWEST)
        .execute()
        .map(rows -> versionOf(rows.iterator().next().getOffsetDateTime("newest")));
  }

  /** The database version, read from the pool. */
  public Uni<String> version() {
    return version(pool);
  }

  /** Entries per ecosystem, totals and version. */
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
    return pool.query(TOTALS)
        .execute()
        .map(rows -> rows.iterator().next())
        .flatMap(
            totals ->
                perEcosystem.map(
                    counts ->
                        new DatabaseStatus(
                            versionOf(totals.getOffsetDateTime("newest")),
                            totals.getLong("total"),
                            totals.getLong("withdrawn"),
                            counts)));
  }

  private static String versionOf(OffsetDateTime newest) {
    return newest == null
        ? EMPTY_VERSION
        : DateTimeFormatter.ISO_INSTANT.format(newest.withOffsetSameInstant(ZoneOffset.UTC));
  }

  private static List<AffectedRow> map(RowSet<Row> rows, String moduleColumn) {
    List<AffectedRow> result = new ArrayList<>();
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
          new AffectedRow(
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
            Ecosystem.release(affected.ecosystem()),
            affected.name(),
            ranges,
            affected.versions().toArray(String[]::new)));
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
   */
  public record UpsertOutcome(int inserted, int updated, int unchanged) {}

  /**
   * One affected package of an advisory that stands (not withdrawn).
   *
   * @param advisoryId the advisory
   * @param aliases its aliases
   * @param severity its severity
   * @param release the distribution release the entry is limited to, e.g. {@code 12}; null for any
   * @param module the Go module of the component it was found for, when found below a module
   * @param affected the package and versions
   */
  public record AffectedRow(
      String advisoryId,
      List<String> aliases,
      Severity severity,
      String release,
      String module,
      AffectedPackage affected) {}

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
   * The database as a whole.
   *
   * @param version the newest {@code modified}, reported as scan.done's dbVersion
   * @param advisories entries stored, withdrawn ones included
   * @param withdrawn entries withdrawn
   * @param perEcosystem advisories affecting each ecosystem
   */
  public record DatabaseStatus(
      String version, long advisories, long withdrawn, Map<String, Long> perEcosystem) {}
}

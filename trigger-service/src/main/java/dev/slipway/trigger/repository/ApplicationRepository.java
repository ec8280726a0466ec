package dev.slipway.trigger.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.BuildSettings;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventJson;
import dev.slipway.events.Severity;
import dev.slipway.trigger.Application;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.problem.ConcurrentChangeException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The application registry in trigger-service's own PostgreSQL database ({@code applications}).
 * Each column is listed once ({@link #COLUMNS}): its name, how it is read from a row and what is
 * written to it. An update names the version it read and raises it by one; an update or a delete
 * made from an older read finds no row and fails with {@link ConcurrentChangeException}.
 */
@ApplicationScoped
public class ApplicationRepository {

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<List<EnvironmentSpec>> ENVIRONMENTS = new TypeReference<>() {};
  private static final TypeReference<List<BuildSettings.SecretGrant>> GRANTS =
      new TypeReference<>() {};

  /** A column: its name, how a row sets it on an application, what an application writes. */
  private record Column(
      String name, BiConsumer<Application, Row> read, Function<Application, Object> write) {}

  /** Every column but name and version, which keys and guard each write. */
  private static final List<Column> COLUMNS =
      List.of(
          new Column("team", (a, r) -> a.team = r.getString("team"), a -> a.team),
          new Column("repo_url", (a, r) -> a.repoUrl = r.getString("repo_url"), a -> a.repoUrl),
          new Column(
              "provider",
              (a, r) -> a.provider = GitProvider.valueOf(r.getString("provider")),
              a -> a.provider.name()),
          new Column(
              "webhook_secret",
              (a, r) -> a.webhookSecret = r.getBuffer("webhook_secret").getBytes(),
              a -> Buffer.buffer(a.webhookSecret)),
          new Column(
              "branch_filters",
              (a, r) -> a.branchFilters = read(r, "branch_filters", STRINGS, "ref filters"),
              a -> write(a.branchFilters)),
          new Column(
              "tag_filters",
              (a, r) -> a.tagFilters = read(r, "tag_filters", STRINGS, "ref filters"),
              a -> write(a.tagFilters)),
          new Column(
              "environments",
              (a, r) -> a.environments = read(r, "environments", ENVIRONMENTS, "environment chain"),
              a -> write(a.environments)),
          new Column(
              "scan_fail_on",
              (a, r) -> a.scanFailOn = Severity.valueOf(r.getString("scan_fail_on")),
              a -> a.scanFailOn.name()),
          new Column(
              "scan_ignore_unfixed",
              (a, r) -> a.scanIgnoreUnfixed = r.getBoolean("scan_ignore_unfixed"),
              a -> a.scanIgnoreUnfixed),
          new Column(
              "scan_denied_licenses",
              (a, r) ->
                  a.scanDeniedLicenses =
                      read(r, "scan_denied_licenses", STRINGS, "denied licences"),
              a -> write(a.scanDeniedLicenses)),
          new Column(
              "scan_unknown_severity_as",
              (a, r) ->
                  a.scanUnknownSeverityAs =
                      Severity.valueOf(r.getString("scan_unknown_severity_as")),
              a -> a.scanUnknownSeverityAs.name()),
          new Column(
              "scan_allow_without_database",
              (a, r) -> a.scanAllowWithoutDatabase = r.getBoolean("scan_allow_without_database"),
              a -> a.scanAllowWithoutDatabase),
          new Column(
              "source_clone_url",
              (a, r) -> a.sourceCloneUrl = r.getString("source_clone_url"),
              a -> a.sourceCloneUrl),
          new Column(
              "source_credentials_ref",
              (a, r) -> a.sourceCredentialsRef = r.getString("source_credentials_ref"),
              a -> a.sourceCredentialsRef),
          new Column(
              "source_directory",
              (a, r) -> a.sourceDirectory = r.getString("source_directory"),
              a -> a.sourceDirectory),
          new Column(
              "build_default_branch",
              (a, r) -> a.buildDefaultBranch = r.getString("build_default_branch"),
              a -> a.buildDefaultBranch),
          new Column(
              "build_protected_refs",
              (a, r) ->
                  a.buildProtectedRefs = read(r, "build_protected_refs", STRINGS, "protected refs"),
              a -> write(a.buildProtectedRefs)),
          new Column(
              "build_secrets",
              (a, r) -> a.buildSecrets = read(r, "build_secrets", GRANTS, "secret grants"),
              a -> write(a.buildSecrets)),
          new Column(
              "created_at",
              (a, r) -> a.createdAt = r.getOffsetDateTime("created_at"),
              a -> a.createdAt),
          new Column(
              "updated_at",
              (a, r) -> a.updatedAt = r.getOffsetDateTime("updated_at"),
              a -> a.updatedAt));

  private static final String SELECT =
      "SELECT name, version, "
          + COLUMNS.stream().map(Column::name).collect(Collectors.joining(", "))
          + " FROM applications";

  /** $1 name, $2 version, then the columns. */
  private static final String INSERT =
      "INSERT INTO applications (name, version, "
          + COLUMNS.stream().map(Column::name).collect(Collectors.joining(", "))
          + ") VALUES ("
          + IntStream.rangeClosed(1, COLUMNS.size() + 2)
              .mapToObj(i -> "$" + i)
              .collect(Collectors.joining(", "))
          + ")";

  /** $1 name, $2 the version read, then the columns. */
  private static final String UPDATE =
      "UPDATE applications SET version = version + 1, "
          + IntStream.range(0, COLUMNS.size())
              .mapToObj(i -> COLUMNS.get(i).name() + " = $" + (i + 3))
              .collect(Collectors.joining(", "))
          + " WHERE name = $1 AND version = $2";

  private final Pool pool;

  public ApplicationRepository(Pool pool) {
    this.pool = pool;
  }

  /** The pool, for services that write an application and more in one transaction. */
  public Pool pool() {
    return pool;
  }

  /** The application named {@code name}, if any. */
  public Uni<Optional<Application>> find(SqlClient client, String name) {
    return client
        .preparedQuery(SELECT + " WHERE name = $1")
        .execute(Tuple.of(name))
        .map(rows -> list(rows).stream().findFirst());
  }

  /** The applications named in {@code names} (those that exist). */
  public Uni<List<Application>> named(List<String> names) {
    return pool.preparedQuery(SELECT + " WHERE name = ANY($1)")
        .execute(Tuple.tuple().addArrayOfString(names.toArray(String[]::new)))
        .map(ApplicationRepository::list);
  }

  /** At most {@code limit} applications by name, those after {@code after} when it is given. */
  public Uni<List<Application>> pageByName(String after, int limit) {
    return (after == null
            ? pool.preparedQuery(SELECT + " ORDER BY name LIMIT $1").execute(Tuple.of(limit))
            : pool.preparedQuery(SELECT + " WHERE name > $1 ORDER BY name LIMIT $2")
                .execute(Tuple.of(after, limit)))
        .map(ApplicationRepository::list);
  }

  /** Adds {@code app}, at version 0; a name taken fails with PostgreSQL's unique violation. */
  public Uni<Application> insert(SqlClient tx, Application app) {
    app.version = 0;
    return tx.preparedQuery(INSERT).execute(values(app)).replaceWith(app);
  }

  /** Writes {@code app} over the version it was read at, which it then holds plus one. */
  public Uni<Application> update(SqlClient tx, Application app) {
    return tx.preparedQuery(UPDATE)
        .execute(values(app))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                throw new ConcurrentChangeException();
              }
              app.version++;
              return app;
            });
  }

  /** Removes {@code app}, as it was read. */
  public Uni<Application> delete(SqlClient tx, Application app) {
    return tx.preparedQuery("DELETE FROM applications WHERE name = $1 AND version = $2")
        .execute(Tuple.of(app.name, app.version))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                throw new ConcurrentChangeException();
              }
              return app;
            });
  }

  private static Tuple values(Application app) {
    List<Object> values = new ArrayList<>(COLUMNS.size() + 2);
    values.add(app.name);
    values.add(app.version);
    COLUMNS.forEach(column -> values.add(column.write().apply(app)));
    return Tuple.from(values);
  }

  private static List<Application> list(RowSet<Row> rows) {
    List<Application> apps = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Application app = new Application();
      app.name = row.getString("name");
      app.version = row.getLong("version");
      COLUMNS.forEach(column -> column.read().accept(app, row));
      apps.add(app);
    }
    return apps;
  }

  private static <T> List<T> read(
      Row row, String column, TypeReference<List<T>> type, String what) {
    String json = row.getString(column);
    try {
      return json == null ? List.of() : List.copyOf(EventJson.mapper().readValue(json, type));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable " + what + " in the registry", e);
    }
  }

  private static String write(List<?> values) {
    try {
      return EventJson.mapper().writeValueAsString(values == null ? List.of() : values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

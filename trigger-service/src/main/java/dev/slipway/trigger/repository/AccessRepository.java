package dev.slipway.trigger.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.events.AccessPolicy;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventJson;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Role bindings, identity links and the access log: what access.policy is made of. Changes are
 * written with their access_log row in one transaction; the policy is read whole (applications,
 * bindings, identities), as every service holds it.
 */
@ApplicationScoped
public class AccessRepository {

  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<List<EnvironmentSpec>> ENVIRONMENTS = new TypeReference<>() {};
  private static final TypeReference<List<AccessPolicy.Account>> ACCOUNTS =
      new TypeReference<>() {};

  private static final String BINDING_COLUMNS =
      "id, version, group_name, role, team, application, environment, deleted, changed_by, changed_at";

  private static final String LOG =
      "INSERT INTO access_log (actor, action, target, detail) VALUES ($1, $2, $3, $4) RETURNING version";

  private final Pool pool;

  public AccessRepository(Pool pool) {
    this.pool = pool;
  }

  /** The pool, for services that write several of these in one transaction. */
  public Pool pool() {
    return pool;
  }

  /** Records one change in the caller's transaction; its version. */
  public Uni<Long> log(SqlClient tx, String actor, String action, String target, String detail) {
    return tx.preparedQuery(LOG)
        .execute(Tuple.of(actor, action, target, detail))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** The live binding {@code id}. */
  public Uni<Optional<StoredBinding>> binding(SqlClient client, String id, boolean lock) {
    return client
        .preparedQuery(
            "SELECT "
                + BINDING_COLUMNS
                + " FROM role_bindings WHERE id = $1 AND NOT deleted"
                + (lock ? " FOR UPDATE" : ""))
        .execute(Tuple.of(id))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(toBinding(rows.iterator().next())));
  }

  /** Every live binding. */
  public Uni<List<StoredBinding>> bindings(SqlClient client) {
    return client
        .query("SELECT " + BINDING_COLUMNS + " FROM role_bindings WHERE NOT deleted ORDER BY id")
        .execute()
        .map(rows -> map(rows, AccessRepository::toBinding));
  }

  /** Every version binding {@code id} had, oldest first. */
  public Uni<List<StoredBinding>> history(String id) {
    return pool.preparedQuery(
            "SELECT "
                + BINDING_COLUMNS
                + " FROM role_binding_versions WHERE id = $1 ORDER BY version")
        .execute(Tuple.of(id))
        .map(rows -> map(rows, AccessRepository::toBinding));
  }

  /** Writes {@code binding} as its new version (and keeps that version in the history). */
  public Uni<Void> write(SqlClient tx, StoredBinding b) {
    Tuple values =
        Tuple.from(
            Arrays.asList(
                b.id(),
                b.version(),
                b.group(),
                b.role(),
                b.team(),
                b.application(),
                b.environment(),
                b.deleted(),
                b.changedBy()));
    return tx.preparedQuery(
            """
            INSERT INTO role_bindings (id, version, group_name, role, team, application, environment,
                                       deleted, changed_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (id) DO UPDATE SET version = $2, group_name = $3, role = $4, team = $5,
                application = $6, environment = $7, deleted = $8, changed_by = $9, changed_at = now()
            """)
        .execute(values)
        .call(
            () ->
                tx.preparedQuery(
                        """
                        INSERT INTO role_binding_versions (id, version, group_name, role, team,
                                                           application, environment, deleted,
                                                           changed_by)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        """)
                    .execute(values))
        .replaceWithVoid();
  }

  /** The identity link of {@code user}. */
  public Uni<Optional<StoredIdentity>> identity(SqlClient client, String user, boolean lock) {
    return client
        .preparedQuery(
            "SELECT user_id, version, accounts, emails, changed_by, changed_at FROM identity_links"
                + " WHERE user_id = $1"
                + (lock ? " FOR UPDATE" : ""))
        .execute(Tuple.of(user))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(toIdentity(rows.iterator().next())));
  }

  /** Every identity link. */
  public Uni<List<StoredIdentity>> identities(SqlClient client) {
    return client
        .query(
            "SELECT user_id, version, accounts, emails, changed_by, changed_at FROM identity_links"
                + " ORDER BY user_id")
        .execute()
        .map(rows -> map(rows, AccessRepository::toIdentity));
  }

  /** Writes the identity link {@code link} as version {@code version}. */
  public Uni<Void> writeIdentity(
      SqlClient tx, AccessPolicy.IdentityLink link, long version, String by) {
    return tx.preparedQuery(
            """
            INSERT INTO identity_links (user_id, version, accounts, emails, changed_by)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (user_id) DO UPDATE SET version = $2, accounts = $3, emails = $4,
                changed_by = $5, changed_at = now()
            """)
        .execute(Tuple.of(link.user(), version, json(link.accounts()), json(link.emails()), by))
        .replaceWithVoid();
  }

  /** Removes the identity link of {@code user}. */
  public Uni<Void> deleteIdentity(SqlClient tx, String user) {
    return tx.preparedQuery("DELETE FROM identity_links WHERE user_id = $1")
        .execute(Tuple.of(user))
        .replaceWithVoid();
  }

  /** The policy as it stands, at the newest logged version. */
  public Uni<AccessPolicy> current(SqlClient client) {
    return client
        .query("SELECT COALESCE(max(version), 0) FROM access_log")
        .execute()
        .map(rows -> rows.iterator().next().getLong(0))
        .flatMap(version -> policy(client, version, null));
  }

  /** The policy as it stands, labelled {@code version} and {@code change}. */
  public Uni<AccessPolicy> policy(SqlClient client, long version, AccessPolicy.Change change) {
    return client
        .query(
            "SELECT name, team, repo_url, environments, scan_fail_on, scan_ignore_unfixed,"
                + " scan_denied_licenses FROM applications ORDER BY name")
        .execute()
        .flatMap(
            apps ->
                bindings(client)
                    .flatMap(
                        bindings ->
                            identities(client)
                                .map(
                                    identities -> {
                                      Map<String, AccessPolicy.Application> applications =
                                          new LinkedHashMap<>();
                                      apps.forEach(
                                          row ->
                                              applications.put(
                                                  row.getString("name"), toApplication(row)));
                                      return new AccessPolicy(
                                          version,
                                          applications,
                                          bindings.stream().map(StoredBinding::binding).toList(),
                                          identities.stream().map(StoredIdentity::link).toList(),
                                          change);
                                    })));
  }

  /** Logged changes not yet relayed, oldest first. */
  public Uni<List<AccessPolicy.Change>> unsent(SqlClient client, int limit, List<Long> versions) {
    return client
        .preparedQuery(
            "SELECT version, actor, action, target, detail, created_at FROM access_log"
                + " WHERE sent_at IS NULL ORDER BY version LIMIT $1")
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              List<AccessPolicy.Change> changes = new ArrayList<>();
              rows.forEach(
                  row -> {
                    versions.add(row.getLong("version"));
                    changes.add(
                        new AccessPolicy.Change(
                            row.getString("actor"),
                            row.getString("action"),
                            row.getString("target"),
                            row.getString("detail"),
                            row.getOffsetDateTime("created_at")));
                  });
              return changes;
            });
  }

  /** Marks logged changes relayed. */
  /** The logged changes not yet published: how many, and when the oldest was made. */
  public Uni<Backlog> backlog() {
    return pool()
        .query(
            "SELECT count(*) AS unsent, min(created_at) AS oldest FROM access_log"
                + " WHERE sent_at IS NULL")
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Backlog(row.getLong("unsent"), row.getOffsetDateTime("oldest"));
            });
  }

  /** Unpublished access changes: their count and the oldest one's time (null when none). */
  public record Backlog(long unsent, OffsetDateTime oldest) {}

  public Uni<Void> markSent(SqlClient client, List<Long> versions) {
    return client
        .preparedQuery("UPDATE access_log SET sent_at = now() WHERE version = ANY($1)")
        .execute(Tuple.of(versions.toArray(new Long[0])))
        .replaceWithVoid();
  }

  private static AccessPolicy.Application toApplication(Row row) {
    List<EnvironmentSpec> environments = read(row.getString("environments"), ENVIRONMENTS);
    return new AccessPolicy.Application(
        row.getString("team"),
        row.getString("repo_url"),
        environments.stream()
            .map(
                e ->
                    new AccessPolicy.Gate(
                        e.name(), e.promotion(), e.requiredApprovals(), e.approvalExpiry()))
            .toList(),
        new ScanPolicy(
            Severity.valueOf(row.getString("scan_fail_on")),
            row.getBoolean("scan_ignore_unfixed"),
            read(row.getString("scan_denied_licenses"), STRINGS)));
  }

  private static StoredBinding toBinding(Row row) {
    return new StoredBinding(
        row.getString("id"),
        row.getLong("version"),
        row.getString("group_name"),
        row.getString("role"),
        row.getString("team"),
        row.getString("application"),
        row.getString("environment"),
        row.getBoolean("deleted"),
        row.getString("changed_by"),
        row.getOffsetDateTime("changed_at"));
  }

  private static StoredIdentity toIdentity(Row row) {
    return new StoredIdentity(
        new AccessPolicy.IdentityLink(
            row.getString("user_id"),
            read(row.getString("accounts"), ACCOUNTS),
            read(row.getString("emails"), STRINGS)),
        row.getLong("version"),
        row.getString("changed_by"),
        row.getOffsetDateTime("changed_at"));
  }

  private static <T> List<T> map(
      io.vertx.mutiny.sqlclient.RowSet<Row> rows, java.util.function.Function<Row, T> mapper) {
    List<T> out = new ArrayList<>();
    rows.forEach(row -> out.add(mapper.apply(row)));
    return out;
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return EventJson.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored access column is unreadable", e);
    }
  }

  static String json(Object value) {
    try {
      return EventJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A binding as stored.
   *
   * @param id its id
   * @param version increases with each change
   * @param group the group
   * @param role the role
   * @param team scope: team
   * @param application scope: application
   * @param environment scope: environment
   * @param deleted whether it was removed
   * @param changedBy who wrote this version
   * @param changedAt when
   */
  public record StoredBinding(
      String id,
      long version,
      String group,
      String role,
      String team,
      String application,
      String environment,
      boolean deleted,
      String changedBy,
      OffsetDateTime changedAt) {

    /** As the policy carries it. */
    public AccessPolicy.RoleBinding binding() {
      return new AccessPolicy.RoleBinding(id, version, group, role, team, application, environment);
    }
  }

  /**
   * An identity link as stored.
   *
   * @param link the link
   * @param version increases with each change
   * @param changedBy who wrote this version
   * @param changedAt when
   */
  public record StoredIdentity(
      AccessPolicy.IdentityLink link, long version, String changedBy, OffsetDateTime changedAt) {}
}

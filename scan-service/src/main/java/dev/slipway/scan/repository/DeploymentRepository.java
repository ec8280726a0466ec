package dev.slipway.scan.repository;

import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.sbom.InstalledPackage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which digest serves where now, and the components of those digests: the data of the exposure
 * query and of re-evaluation. A deploy.done applies only when it is not older than what is stored.
 */
@ApplicationScoped
public class DeploymentRepository {

  private static final String UPSERT =
      """
      INSERT INTO deployments (application, environment, cluster, namespace, image, digest,
                               revision, event_id, since, run_id, commit_sha)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (application, environment) DO UPDATE SET
        cluster = EXCLUDED.cluster, namespace = EXCLUDED.namespace, image = EXCLUDED.image,
        digest = EXCLUDED.digest, revision = EXCLUDED.revision, event_id = EXCLUDED.event_id,
        since = EXCLUDED.since, run_id = EXCLUDED.run_id, commit_sha = EXCLUDED.commit_sha
      WHERE deployments.since <= EXCLUDED.since
      """;

  private static final String REMOVE =
      "DELETE FROM deployments WHERE application = $1 AND environment = $2 AND since <= $3";

  private static final String RUNNING_COLUMNS =
      """
      d.application, d.environment, d.cluster, d.namespace, d.image, d.digest, d.since,
      d.event_id, d.run_id, d.commit_sha, c.ecosystem, c.name, c.alternate_name, c.version,
      c.match_version, c.release, c.purl
      """;

  private static final String RUNNING_PACKAGE =
      "SELECT "
          + RUNNING_COLUMNS
          + """
          FROM deployments d JOIN image_components c ON c.image_digest = d.digest
          WHERE c.ecosystem = $1 AND (c.name = $2 COLLATE "C" OR c.alternate_name = $2 COLLATE "C")
          ORDER BY d.application, d.environment
          """;

  // Every running component one of the given (ecosystem, name) pairs names.
  private static final String RUNNING_PACKAGES =
      "SELECT "
          + RUNNING_COLUMNS
          + """
          FROM unnest($1::text[], $2::text[]) AS t(e, n)
          JOIN image_components c
            ON c.ecosystem = t.e AND (c.name = t.n COLLATE "C" OR c.alternate_name = t.n COLLATE "C")
          JOIN deployments d ON d.digest = c.image_digest
          """;

  // Go advisories may name a package path below the module an SBOM names.
  private static final String RUNNING_GO_MODULES_OF =
      "SELECT "
          + RUNNING_COLUMNS
          + """
          FROM deployments d JOIN image_components c ON c.image_digest = d.digest
          WHERE c.ecosystem = 'Go'
            AND EXISTS (SELECT 1 FROM unnest($1::text[]) AS p(path)
                        WHERE starts_with(p.path COLLATE "C", c.name || '/'))
          """;

  // Every running component an entry of the given advisories names: by name, by alternate name,
  // and Go modules containing the package path an entry names.
  private static final String RUNNING_NAMED_BY =
      "SELECT a.advisory_id, "
          + RUNNING_COLUMNS
          + """
          FROM affected a
          JOIN image_components c ON c.ecosystem = a.ecosystem AND c.name = a.name
          JOIN deployments d ON d.digest = c.image_digest
          WHERE a.advisory_id = ANY($1)
          UNION
          SELECT a.advisory_id, """
          + RUNNING_COLUMNS
          + """
          FROM affected a
          JOIN image_components c ON c.ecosystem = a.ecosystem AND c.alternate_name = a.name
          JOIN deployments d ON d.digest = c.image_digest
          WHERE a.advisory_id = ANY($1)
          UNION
          SELECT a.advisory_id, """
          + RUNNING_COLUMNS
          + """
          FROM affected a
          JOIN image_components c
            ON c.ecosystem = 'Go' AND a.ecosystem = 'Go'
           AND starts_with(a.name COLLATE "C", c.name || '/')
          JOIN deployments d ON d.digest = c.image_digest
          WHERE a.advisory_id = ANY($1)
          """;

  private static final String RUNNING_DIGEST =
      "SELECT "
          + RUNNING_COLUMNS
          + """
          FROM deployments d JOIN image_components c ON c.image_digest = d.digest
          WHERE d.digest = $1
          """;

  private final Pool pool;

  public DeploymentRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Records that {@code digest} serves where {@code event} deployed (nothing serves when null).
   *
   * @return whether the event changed the record (false: an older event)
   */
  public Uni<Boolean> apply(Envelope<DeployDone> event, String digest) {
    DeployDone done = event.data();
    if (digest == null) {
      return pool.preparedQuery(REMOVE)
          .execute(Tuple.of(event.subject(), done.environment(), event.time()))
          .map(rows -> true);
    }
    return pool.preparedQuery(UPSERT)
        .execute(
            Tuple.from(
                Arrays.asList(
                    event.subject(),
                    done.environment(),
                    done.cluster(),
                    done.namespace(),
                    done.image(),
                    digest,
                    done.revision(),
                    event.id(),
                    event.time(),
                    event.runId(),
                    event.commitSha())))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Deployed components of one package (by name or alternate name), everywhere. */
  public Uni<List<Running>> running(String ecosystem, String name) {
    return pool.preparedQuery(RUNNING_PACKAGE)
        .execute(Tuple.of(ecosystem, name))
        .map(DeploymentRepository::map);
  }

  /**
   * Deployed components that the (ecosystem, name) pairs name, and deployed Go modules containing
   * any of {@code goPackagePaths}.
   */
  public Uni<List<Running>> running(
      List<String> ecosystems, List<String> names, List<String> goPackagePaths) {
    Uni<List<Running>> exact =
        names.isEmpty()
            ? Uni.createFrom().item(List.of())
            : pool.preparedQuery(RUNNING_PACKAGES)
                .execute(Tuple.of(ecosystems.toArray(String[]::new), names.toArray(String[]::new)))
                .map(DeploymentRepository::map);
    if (goPackagePaths.isEmpty()) {
      return exact;
    }
    Uni<List<Running>> modules =
        pool.preparedQuery(RUNNING_GO_MODULES_OF)
            .execute(Tuple.of((Object) goPackagePaths.toArray(String[]::new)))
            .map(DeploymentRepository::map);
    return Uni.combine()
        .all()
        .unis(exact, modules)
        .with(
            (a, b) -> {
              List<Running> all = new ArrayList<>(a);
              all.addAll(b);
              return all;
            });
  }

  /** The running components that entries of {@code advisoryIds} name, each with the advisory. */
  public Uni<List<NamedBy>> runningNamedBy(List<String> advisoryIds) {
    return pool.preparedQuery(RUNNING_NAMED_BY)
        .execute(Tuple.of((Object) advisoryIds.toArray(String[]::new)))
        .map(
            rows -> {
              List<Running> running = map(rows);
              List<NamedBy> named = new ArrayList<>();
              int i = 0;
              for (Row row : rows) {
                named.add(new NamedBy(row.getString("advisory_id"), running.get(i++)));
              }
              return named;
            });
  }

  /** A running component and an advisory one of whose entries names it. */
  public record NamedBy(String advisoryId, Running running) {}

  /** The components of {@code digest} wherever it serves now. */
  public Uni<List<Running>> runningDigest(String digest) {
    return pool.preparedQuery(RUNNING_DIGEST)
        .execute(Tuple.of(digest))
        .map(DeploymentRepository::map);
  }

  /** Deployed Go modules that contain the package path {@code packagePath}. */
  public Uni<List<Running>> runningGoModulesOf(String packagePath) {
    return running(List.of(), List.of(), List.of(packagePath));
  }

  private static List<Running> map(RowSet<Row> rows) {
    List<Running> result = new ArrayList<>();
    for (Row row : rows) {
      result.add(
          new Running(
              row.getString("application"),
              row.getString("environment"),
              row.getString("cluster"),
              row.getString("namespace"),
              row.getString("image"),
              row.getString("digest"),
              row.getOffsetDateTime("since"),
              row.getString("event_id"),
              row.getString("run_id"),
              row.getString("commit_sha"),
              new InstalledPackage(
                  row.getString("purl"),
                  Ecosystem.ofOsv(row.getString("ecosystem")).orElseThrow(),
                  row.getString("name"),
                  row.getString("alternate_name"),
                  row.getString("match_version"),
                  row.getString("version"),
                  row.getString("release"))));
    }
    return result;
  }

  /**
   * A component of a digest that serves somewhere now.
   *
   * @param application the application
   * @param environment the environment
   * @param cluster its cluster
   * @param namespace its namespace
   * @param image the image repository
   * @param digest the digest serving
   * @param since when the deploy.done that put it there happened
   * @param deployEventId the id of that deploy.done
   * @param runId its run; null for rows recorded before runs were kept
   * @param commitSha its commit; may be null
   * @param pkg the component, with its release
   */
  public record Running(
      String application,
      String environment,
      String cluster,
      String namespace,
      String image,
      String digest,
      OffsetDateTime since,
      String deployEventId,
      String runId,
      String commitSha,
      InstalledPackage pkg) {}
}

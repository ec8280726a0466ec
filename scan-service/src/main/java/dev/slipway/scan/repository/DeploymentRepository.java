package dev.slipway.scan.repository;

import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which digest serves where now, and the components of those digests: the data of the exposure
 * query. A deploy.done applies only when it is not older than what is stored.
 */
@ApplicationScoped
public class DeploymentRepository {

  private static final String UPSERT =
      """
      INSERT INTO deployments (application, environment, cluster, namespace, image, digest,
                               revision, event_id, since)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (application, environment) DO UPDATE SET
        cluster = EXCLUDED.cluster, namespace = EXCLUDED.namespace, image = EXCLUDED.image,
        digest = EXCLUDED.digest, revision = EXCLUDED.revision, event_id = EXCLUDED.event_id,
        since = EXCLUDED.since
      WHERE deployments.since <= EXCLUDED.since
      """;

  private static final String REMOVE =
      "DELETE FROM deployments WHERE application = $1 AND environment = $2 AND since <= $3";

  private static final String RUNNING_COLUMNS =
      """
      d.application, d.environment, d.cluster, d.namespace, d.image, d.digest, d.since,
      c.ecosystem, c.name, c.version, c.purl
      """;

  private static final String RUNNING_PACKAGE =
      "SELECT "
          + RUNNING_COLUMNS
          + """
          FROM deployments d JOIN image_components c ON c.image_digest = d.digest
          WHERE c.ecosystem = $1 AND c.name = $2 COLLATE "C"
          ORDER BY d.application, d.environment
          """;

  // Go advisories may name a package path below the module an SBOM names.
  private static final String RUNNING_GO_MODULE_OF =
      "SELECT "
          + RUNNING_COLUMNS
          + """
          FROM deployments d JOIN image_components c ON c.image_digest = d.digest
          WHERE c.ecosystem = 'Go' AND starts_with($1 COLLATE "C", c.name || '/')
          ORDER BY d.application, d.environment
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
                    event.time())))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Deployed components of one package, in every application and environment. */
  public Uni<List<Running>> running(String ecosystem, String name) {
    return pool.preparedQuery(RUNNING_PACKAGE).execute(Tuple.of(ecosystem, name)).map(this::map);
  }

  /** Deployed Go modules that contain the package path {@code packagePath}. */
  public Uni<List<Running>> runningGoModulesOf(String packagePath) {
    return pool.preparedQuery(RUNNING_GO_MODULE_OF).execute(Tuple.of(packagePath)).map(this::map);
  }

  private List<Running> map(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
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
              row.getString("ecosystem"),
              row.getString("name"),
              row.getString("version"),
              row.getString("purl")));
    }
    return result;
  }

  /** A component of a digest that serves somewhere now. */
  public record Running(
      String application,
      String environment,
      String cluster,
      String namespace,
      String image,
      String digest,
      OffsetDateTime since,
      String ecosystem,
      String name,
      String version,
      String purl) {}
}

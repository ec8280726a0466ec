package dev.slipway.deploy.repository;

import dev.slipway.events.Envelope;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Optional;

/**
 * scan-service's verdicts as scan.done carried them. scan.done has one writer (scan-service's Kafka
 * user, {@code k8s/components/kafka/users.yaml}), so a verdict recorded here is scan-service's
 * word.
 */
@ApplicationScoped
public class ScanVerdicts {

  private static final String INSERT =
      """
      INSERT INTO scan_verdicts (event_id, application, image_digest, verdict, policy, db_version,
                                 reason)
      VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private static final String LATEST =
      """
      SELECT verdict, policy::text AS policy, db_version, reason, recorded_at FROM scan_verdicts
      WHERE application = $1 AND image_digest = $2
      ORDER BY recorded_at DESC LIMIT 1
      """;

  private final Pool pool;

  public ScanVerdicts(Pool pool) {
    this.pool = pool;
  }

  /** Records one verdict; a redelivered scan.done changes nothing. */
  public Uni<Boolean> record(Envelope<ScanDone> event) {
    ScanDone scan = event.data();
    return pool.preparedQuery(INSERT)
        .execute(
            Tuple.from(
                Arrays.asList(
                    event.id(),
                    event.subject(),
                    scan.imageDigest(),
                    scan.verdict().name(),
                    JsonColumns.write(scan.policy()),
                    scan.dbVersion(),
                    scan.reason())))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The newest verdict on {@code digest} of {@code application}. */
  public Uni<Optional<Verdict>> latest(String application, String digest) {
    return pool.preparedQuery(LATEST)
        .execute(Tuple.of(application, digest))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(toVerdict(rows.iterator().next())));
  }

  private static Verdict toVerdict(Row row) {
    return new Verdict(
        row.getString("verdict"),
        JsonColumns.read(row.getString("policy"), ScanPolicy.class),
        row.getString("db_version"),
        row.getString("reason"),
        row.getOffsetDateTime("recorded_at"));
  }

  /**
   * One verdict.
   *
   * @param verdict PASSED, FAILED or ERROR
   * @param policy the policy it was reached under
   * @param dbVersion the advisory database it used
   * @param reason scan-service's explanation
   * @param recordedAt when deploy-service learned it
   */
  public record Verdict(
      String verdict,
      ScanPolicy policy,
      String dbVersion,
      String reason,
      OffsetDateTime recordedAt) {

    public boolean passed() {
      return "PASSED".equals(verdict);
    }
  }
}

package dev.slipway.audit.service;

import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.dora.DoraCalculator;
import dev.slipway.audit.dora.DoraCalculator.Outcome;
import dev.slipway.audit.dora.DoraCalculator.Push;
import dev.slipway.audit.dora.DoraCalculator.Rollout;
import dev.slipway.audit.dora.DoraMetrics;
import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.events.Topics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads what the DORA metrics need from the audit store: the rollouts of the environment from the
 * window on, the commits deployed there before it, and the pushes of the applications involved.
 */
@ApplicationScoped
public class DoraService {

  private static final String ROLLOUTS =
      """
      SELECT application, status, event_time, commit_sha,
             event->'data'->>'requestReason' AS request_reason,
             event->'data'->>'durationMs' AS duration_ms
        FROM audit_events
       WHERE topic = '%s' AND problem IS NULL AND environment = $1
         AND event_time >= $2 AND event_time < $3
         AND ($4::text[] IS NULL OR application = ANY($4))
       ORDER BY event_time, seq
      """
          .formatted(Topics.DEPLOY_DONE);

  private static final String DEPLOYED_BEFORE =
      """
      SELECT DISTINCT application, commit_sha
        FROM audit_events
       WHERE topic = '%s' AND problem IS NULL AND environment = $1 AND status = 'SUCCEEDED'
         AND event_time >= $2 AND event_time < $3 AND commit_sha IS NOT NULL
         AND coalesce(event->'data'->>'requestReason', '') <> 'ROLLBACK'
         AND application = ANY($4)
      """
          .formatted(Topics.DEPLOY_DONE);

  private static final String PUSHES =
      """
      SELECT application, event->'data'->>'ref' AS ref, commit_sha, min(event_time) AS pushed_at
        FROM audit_events
       WHERE topic = '%s' AND problem IS NULL AND application = ANY($1)
         AND event_time >= $2 AND event_time < $3
       GROUP BY 1, 2, 3
      """
          .formatted(Topics.COMMIT_RECEIVED);

  private final AuditEventRepository repository;
  private final AuditConfig config;

  public DoraService(AuditEventRepository repository, AuditConfig config) {
    this.repository = repository;
    this.config = config;
  }

  /**
   * The DORA metrics of {@code environment} over [{@code from}, {@code to}).
   *
   * @param application the application asked for, or null
   * @param applications the applications to include; null for all
   */
  public Uni<DoraMetrics> metrics(
      String application,
      List<String> applications,
      String environment,
      OffsetDateTime from,
      OffsetDateTime to) {
    OffsetDateTime lookback = from.minus(config.dora().lookback());
    OffsetDateTime until = to.plus(config.dora().lookback());
    String[] apps = applications == null ? null : applications.toArray(String[]::new);
    return repository
        .rows(ROLLOUTS, Tuple.of(environment, from, until, apps))
        .flatMap(
            rows -> {
              List<Rollout> rollouts = new ArrayList<>();
              Set<String> involved = new LinkedHashSet<>();
              for (Row row : rows) {
                String durationMs = row.getString("duration_ms");
                rollouts.add(
                    new Rollout(
                        row.getString("application"),
                        Outcome.valueOf(row.getString("status")),
                        row.getString("request_reason"),
                        row.getOffsetDateTime("event_time"),
                        durationMs == null ? null : Long.valueOf(durationMs),
                        row.getString("commit_sha")));
                involved.add(row.getString("application"));
              }
              String[] involvedApps = involved.toArray(String[]::new);
              return repository
                  .rows(DEPLOYED_BEFORE, Tuple.of(environment, lookback, from, involvedApps))
                  .flatMap(
                      before -> {
                        Set<String> deployedBefore = new HashSet<>();
                        for (Row row : before) {
                          deployedBefore.add(
                              DoraCalculator.commitKey(
                                  row.getString("application"), row.getString("commit_sha")));
                        }
                        return repository
                            .rows(PUSHES, Tuple.of(involvedApps, lookback, to))
                            .map(
                                pushRows -> {
                                  List<Push> pushes = new ArrayList<>();
                                  for (Row row : pushRows) {
                                    pushes.add(
                                        new Push(
                                            row.getString("application"),
                                            row.getString("ref"),
                                            row.getString("commit_sha"),
                                            row.getOffsetDateTime("pushed_at")));
                                  }
                                  return DoraCalculator.compute(
                                      application,
                                      environment,
                                      from,
                                      to,
                                      rollouts,
                                      pushes,
                                      deployedBefore);
                                });
                      });
            });
  }
}

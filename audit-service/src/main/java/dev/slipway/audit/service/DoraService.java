package dev.slipway.audit.service;

import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.audit.service.DoraCalculator.DeployDoneEvent;
import dev.slipway.events.Topics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the deploys and commits the DORA metrics need from the audit store. */
@ApplicationScoped
public class DoraService {

  private static final String DEPLOYS =
      """
      SELECT application, coalesce(causation_id, event_id) AS deploy, status, event_time,
             commit_sha
        FROM audit_events
       WHERE topic = '%s' AND problem IS NULL AND environment = $1 AND event_time >= $2
         AND ($3::text IS NULL OR application = $3)
       ORDER BY event_time, seq
      """
          .formatted(Topics.DEPLOY_DONE);

  private static final String COMMITS =
      """
      SELECT application, commit_sha, min(event_time) AS committed_at
        FROM audit_events
       WHERE topic = '%s' AND problem IS NULL AND commit_sha = ANY($1::text[])
       GROUP BY application, commit_sha
      """
          .formatted(Topics.COMMIT_RECEIVED);

  private final AuditEventRepository repository;

  public DoraService(AuditEventRepository repository) {
    this.repository = repository;
  }

  /** The DORA metrics of {@code environment} (and {@code application}, unless null). */
  public Uni<DoraMetrics> metrics(
      String application, String environment, OffsetDateTime from, OffsetDateTime to) {
    return repository
        .rows(DEPLOYS, Tuple.of(environment, from, application))
        .flatMap(
            rows -> {
              List<DeployDoneEvent> events = new ArrayList<>();
              Set<String> commits = new LinkedHashSet<>();
              for (Row row : rows) {
                DeployDoneEvent e =
                    new DeployDoneEvent(
                        row.getString("application"),
                        row.getString("deploy"),
                        row.getString("status"),
                        row.getOffsetDateTime("event_time"),
                        row.getString("commit_sha"));
                events.add(e);
                if (e.commitSha() != null) {
                  commits.add(e.commitSha());
                }
              }
              return repository
                  .rows(COMMITS, Tuple.of(commits.toArray(String[]::new)))
                  .map(
                      commitRows -> {
                        Map<String, OffsetDateTime> committedAt = new HashMap<>();
                        for (Row row : commitRows) {
                          committedAt.put(
                              DoraCalculator.commitKey(
                                  row.getString("application"), row.getString("commit_sha")),
                              row.getOffsetDateTime("committed_at"));
                        }
                        return DoraCalculator.compute(
                            application, environment, from, to, events, committedAt);
                      });
            });
  }
}

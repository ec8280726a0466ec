package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.repository.AuditEventRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the audit store: filtered pages, run and commit timelines, exports. */
@ApplicationScoped
public class AuditQueryService {

  /** Largest page the API serves. */
  public static final int MAX_LIMIT = 1000;

  private static final String SELECT = "SELECT " + columns() + " FROM audit_events";

  private final AuditEventRepository repository;
  private final AuditConfig config;

  public AuditQueryService(AuditEventRepository repository, AuditConfig config) {
    this.repository = repository;
    this.config = config;
  }

  /**
   * A page of rows matching {@code filter}, keyset-paginated on the chain sequence: rows are
   * committed in sequence order, so a page that starts after a cursor never repeats or skips a row
   * however many rows are appended meanwhile. Newest first ends with a null cursor; oldest first
   * always returns one, from which a client polls for rows appended later.
   */
  public Uni<EventPage> events(EventFilter filter, boolean newestFirst, Long cursor, int limit) {
    List<Object> params = new ArrayList<>();
    List<String> where = conditions(filter, params);
    if (cursor != null) {
      params.add(cursor);
      where.add((newestFirst ? "seq < $" : "seq > $") + params.size());
    }
    params.add(limit + 1);
    String sql =
        SELECT
            + whereClause(where)
            + " ORDER BY seq "
            + (newestFirst ? "DESC" : "ASC")
            + " LIMIT $"
            + params.size();
    return repository
        .list(sql, Tuple.from(params))
        .map(
            rows -> {
              boolean more = rows.size() > limit;
              List<AuditEvent> page = more ? rows.subList(0, limit) : rows;
              Long next;
              if (more || (!newestFirst && !page.isEmpty())) {
                next = page.get(page.size() - 1).seq();
              } else {
                // Oldest first always has a next page: the rows appended from now on.
                next = newestFirst ? null : cursor;
              }
              return new EventPage(List.copyOf(page), next);
            });
  }

  /** The run's events in causal order, if any was audited. */
  public Uni<Optional<RunTimeline>> run(String runId) {
    return repository
        .list(SELECT + " WHERE run_id = $1 ORDER BY seq", Tuple.of(runId))
        .map(events -> events.isEmpty() ? Optional.empty() : Optional.of(timeline(runId, events)));
  }

  /** Every run of the commit, oldest first, if any was audited. */
  public Uni<Optional<CommitTimeline>> commit(String commitSha) {
    return repository
        .list(SELECT + " WHERE commit_sha = $1 ORDER BY seq", Tuple.of(commitSha))
        .map(
            events -> {
              if (events.isEmpty()) {
                return Optional.empty();
              }
              Map<String, List<AuditEvent>> byRun = new LinkedHashMap<>();
              for (AuditEvent e : events) {
                byRun.computeIfAbsent(e.record().runId(), r -> new ArrayList<>()).add(e);
              }
              List<RunTimeline> runs = new ArrayList<>();
              byRun.forEach((runId, runEvents) -> runs.add(timeline(runId, runEvents)));
              runs.sort(
                  Comparator.comparing(RunTimeline::startedAt)
                      .thenComparing(r -> r.events().get(0).seq()));
              return Optional.of(new CommitTimeline(commitSha, runs));
            });
  }

  /** Every row with an event time in [{@code from}, {@code to}), in chain order, streamed. */
  public Multi<AuditEvent> export(OffsetDateTime from, OffsetDateTime to) {
    List<Object> params = new ArrayList<>();
    List<String> where =
        conditions(new EventFilter(null, null, null, null, null, null, null, from, to), params);
    return repository.stream(
        SELECT + whereClause(where) + " ORDER BY seq",
        Tuple.from(params),
        config.exportFetchSize());
  }

  private static RunTimeline timeline(String runId, List<AuditEvent> events) {
    List<AuditEvent> ordered = CausalOrder.of(events);
    AuditEvent first =
        ordered.stream()
            .filter(e -> e.record().problem() == null)
            .findFirst()
            .orElse(ordered.get(0));
    OffsetDateTime startedAt =
        ordered.stream()
            .map(e -> e.record().eventTime())
            .min(Comparator.naturalOrder())
            .orElseThrow();
    return new RunTimeline(
        runId, first.record().application(), first.record().commitSha(), startedAt, ordered);
  }

  private static List<String> conditions(EventFilter f, List<Object> params) {
    List<String> where = new ArrayList<>();
    equal(where, params, "application", f.application());
    equal(where, params, "run_id", f.runId());
    equal(where, params, "commit_sha", f.commitSha());
    equal(where, params, "type", f.type());
    equal(where, params, "topic", f.topic());
    equal(where, params, "environment", f.environment());
    equal(where, params, "status", f.status());
    if (f.from() != null) {
      params.add(f.from());
      where.add("event_time >= $" + params.size());
    }
    if (f.to() != null) {
      params.add(f.to());
      where.add("event_time < $" + params.size());
    }
    return where;
  }

  private static void equal(List<String> where, List<Object> params, String column, String value) {
    if (value != null) {
      params.add(value);
      where.add(column + " = $" + params.size());
    }
  }

  private static String whereClause(List<String> where) {
    return where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
  }

  private static String columns() {
    return AuditEventRepository.COLUMNS;
  }
}

package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.audit.repository.AuditRows;
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

/** Reads the audit store: filtered pages, run and commit timelines. */
@ApplicationScoped
public class AuditQueryService {

  /** Largest page the API serves. */
  public static final int MAX_LIMIT = 1000;

  private final AuditEventRepository repository;

  public AuditQueryService(AuditEventRepository repository) {
    this.repository = repository;
  }

  /**
   * A page of rows matching {@code filter}, keyset-paginated on the log's seq: rows are committed
   * in seq order, so a page that starts after a cursor never repeats or skips a row however many
   * rows are appended meanwhile. Newest first ends with a null cursor; oldest first always returns
   * one, from which a client polls for rows appended later.
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
        AuditRows.SELECT
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

  /** A page of the run's events in causal order, if any was audited (and visible). */
  public Uni<Optional<RunTimeline>> run(
      String runId, List<String> visibleApplications, Long cursor, int limit) {
    return timelinePage(EventFilter.run(runId, visibleApplications), cursor, limit)
        .map(
            page ->
                page.rows().isEmpty()
                    ? Optional.empty()
                    : Optional.of(timeline(runId, page.rows(), page.next())));
  }

  /** A page of every run of the commit, oldest first, if any was audited (and visible). */
  public Uni<Optional<CommitTimeline>> commit(
      String commitSha, List<String> visibleApplications, Long cursor, int limit) {
    return timelinePage(EventFilter.commit(commitSha, visibleApplications), cursor, limit)
        .map(
            page -> {
              if (page.rows().isEmpty()) {
                return Optional.empty();
              }
              Map<String, List<AuditEvent>> byRun = new LinkedHashMap<>();
              for (AuditEvent e : page.rows()) {
                byRun.computeIfAbsent(e.record().runId(), r -> new ArrayList<>()).add(e);
              }
              List<RunTimeline> runs = new ArrayList<>();
              byRun.forEach((runId, runEvents) -> runs.add(timeline(runId, runEvents, null)));
              runs.sort(
                  Comparator.comparing(RunTimeline::startedAt)
                      .thenComparing(r -> r.events().get(0).seq()));
              return Optional.of(new CommitTimeline(commitSha, runs, page.next()));
            });
  }

  /** Rows of a timeline page, oldest first, and the cursor of the next page. */
  private record TimelinePage(List<AuditEvent> rows, String next) {}

  private Uni<TimelinePage> timelinePage(EventFilter filter, Long cursor, int limit) {
    List<Object> params = new ArrayList<>();
    List<String> where = conditions(filter, params);
    if (cursor != null) {
      params.add(cursor);
      where.add("seq > $" + params.size());
    }
    params.add(limit + 1);
    String sql = AuditRows.SELECT + whereClause(where) + " ORDER BY seq LIMIT $" + params.size();
    return repository
        .list(sql, Tuple.from(params))
        .map(
            rows -> {
              boolean more = rows.size() > limit;
              List<AuditEvent> page = more ? rows.subList(0, limit) : rows;
              return new TimelinePage(
                  List.copyOf(page), more ? PageCursor.of(page.get(page.size() - 1).seq()) : null);
            });
  }

  private static RunTimeline timeline(String runId, List<AuditEvent> events, String next) {
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
        runId, first.record().application(), first.record().commitSha(), startedAt, ordered, next);
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
    if (f.visibleApplications() != null) {
      params.add(f.visibleApplications().toArray(String[]::new));
      where.add("application = ANY($" + params.size() + ")");
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
}

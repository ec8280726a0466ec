package dev.slipway.audit.repository;

import dev.slipway.audit.AuditEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the audit store with the reactive client, for the query API: pages of rows and the plain
 * rows of aggregates. Appends go through {@link AuditStoreWriter}, bulk reads through {@link
 * LogSnapshots}.
 */
@ApplicationScoped
public class AuditEventRepository {

  private final Pool pool;

  public AuditEventRepository(Pool pool) {
    this.pool = pool;
  }

  /** Rows of one query selecting {@link AuditRows#SELECT}, mapped. */
  public Uni<List<AuditEvent>> list(String sql, Tuple params) {
    return pool.preparedQuery(sql)
        .execute(params)
        .map(
            rows -> {
              List<AuditEvent> events = new ArrayList<>(rows.size());
              for (Row row : rows) {
                events.add(AuditRows.event(row));
              }
              return events;
            });
  }

  /** Plain rows of one query, for aggregates. */
  public Uni<RowSet<Row>> rows(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params);
  }
}

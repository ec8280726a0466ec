package dev.slipway.scan.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The outbox of events to publish. One relay at a time (a transaction-scoped advisory lock, so two
 * instances never interleave and reorder an application's events) reads unsent rows in the order
 * they were written and marks each sent after Kafka acknowledged it.
 */
@ApplicationScoped
public class OutboxRepository {

  /** Key of the advisory lock the relay holds: scan-service's port, an arbitrary constant. */
  private static final long RELAY_LOCK = 8083;

  private static final String LOCK = "SELECT pg_try_advisory_xact_lock($1) AS locked";

  private static final String UNSENT =
      """
      SELECT seq, event_id, topic, event FROM outbox
      WHERE sent_at IS NULL ORDER BY seq LIMIT $1
      """;

  private static final String MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE seq = $1";

  private static final String COUNT_UNSENT =
      "SELECT count(*) AS unsent FROM outbox WHERE sent_at IS NULL";

  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Runs {@code relay} over up to {@code limit} unsent events while holding the relay lock, in one
   * transaction that commits what {@code relay} marked sent. Another relay holding the lock makes
   * this a no-op returning 0.
   */
  public Uni<Integer> relay(
      int limit, BiFunction<SqlConnection, List<PendingEvent>, Uni<Integer>> relay) {
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(LOCK)
                .execute(Tuple.of(RELAY_LOCK))
                .flatMap(
                    locked -> {
                      if (!locked.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(0);
                      }
                      return connection
                          .preparedQuery(UNSENT)
                          .execute(Tuple.of(limit))
                          .flatMap(
                              rows -> {
                                List<PendingEvent> events = new ArrayList<>();
                                for (Row row : rows) {
                                  events.add(
                                      new PendingEvent(
                                          row.getLong("seq"),
                                          row.getString("event_id"),
                                          row.getString("topic"),
                                          row.getString("event")));
                                }
                                return events.isEmpty()
                                    ? Uni.createFrom().item(0)
                                    : relay.apply(connection, events);
                              });
                    }));
  }

  /** Marks one event sent, inside the relay's transaction. */
  public Uni<Void> markSent(SqlConnection connection, long seq) {
    return connection.preparedQuery(MARK_SENT).execute(Tuple.of(seq)).replaceWithVoid();
  }

  /** Events not yet acknowledged by Kafka. */
  public Uni<Long> unsent() {
    return pool.query(COUNT_UNSENT).execute().map(rows -> rows.iterator().next().getLong("unsent"));
  }

  /**
   * One event waiting to be published.
   *
   * @param seq its place in the outbox
   * @param eventId its id
   * @param topic where it goes
   * @param json CloudEvents structured JSON
   */
  public record PendingEvent(long seq, String eventId, String topic, String json) {}
}

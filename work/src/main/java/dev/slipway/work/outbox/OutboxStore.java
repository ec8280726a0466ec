package dev.slipway.work.outbox;

import dev.slipway.work.db.Tx;
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
import java.util.Optional;

/**
 * The outbox table ({@code db/work/V1__outbox.sql}): rows added inside the caller's transaction,
 * read back by the relay in id order, marked sent after Kafka's acknowledgement or parked with the
 * reason Kafka refused them, and deleted once sent longer ago than the retention.
 */
@ApplicationScoped
public class OutboxStore {

  private static final String ADD =
      """
      INSERT INTO outbox (event_id, topic, application, event, traceparent)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (event_id) DO NOTHING
      """;
  private static final String UNSENT =
      """
      SELECT id, event_id, topic, application, event, traceparent FROM outbox
      WHERE sent_at IS NULL AND parked_at IS NULL
      ORDER BY id LIMIT $1
      """;
  private static final String MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE id = ANY($1)";
  private static final String PARK =
      "UPDATE outbox SET parked_at = now(), parked_why = $2 WHERE id = $1 AND sent_at IS NULL";
  private static final String BACKLOG =
      """
      SELECT count(*) FILTER (WHERE parked_at IS NULL),
             min(created_at) FILTER (WHERE parked_at IS NULL),
             count(*) FILTER (WHERE parked_at IS NOT NULL)
      FROM outbox WHERE sent_at IS NULL
      """;
  private static final String PARKED_COLUMNS =
      "id, event_id, topic, application, event, created_at, parked_at, parked_why";
  private static final String PARKED =
      "SELECT "
          + PARKED_COLUMNS
          + """
           FROM outbox
          WHERE parked_at IS NOT NULL AND sent_at IS NULL AND ($1::bigint IS NULL OR id > $1)
          ORDER BY id LIMIT $2
          """;
  private static final String LOCK_PARKED =
      "SELECT "
          + PARKED_COLUMNS
          + " FROM outbox WHERE id = $1 AND parked_at IS NOT NULL AND sent_at IS NULL FOR UPDATE";
  private static final String UNPARK =
      "UPDATE outbox SET parked_at = NULL, parked_why = NULL WHERE id = $1";
  private static final String DELETE = "DELETE FROM outbox WHERE id = $1";
  private static final String DELETE_SENT =
      """
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE sent_at < $1 ORDER BY id LIMIT $2)
      """;

  private final Pool pool;

  public OutboxStore(Pool pool) {
    this.pool = pool;
  }

  /** A row to publish. */
  public record Unsent(
      long id,
      String eventId,
      String topic,
      String application,
      String event,
      String traceparent) {}

  /**
   * How far the relay is behind.
   *
   * @param unsent rows neither sent nor parked
   * @param oldest when the oldest of them was written; null when there is none
   * @param parked rows set aside because Kafka refused them
   */
  public record Backlog(long unsent, OffsetDateTime oldest, long parked) {}

  /**
   * A row set aside because Kafka refused it.
   *
   * @param id its place in the outbox
   * @param eventId the event's id
   * @param topic where it was to go
   * @param application its record key
   * @param event the event as stored (structured-mode CloudEvents JSON)
   * @param createdAt when it was written
   * @param parkedAt when it was set aside
   * @param reason why Kafka refused it
   */
  public record Parked(
      long id,
      String eventId,
      String topic,
      String application,
      String event,
      OffsetDateTime createdAt,
      OffsetDateTime parkedAt,
      String reason) {}

  /**
   * Adds {@code events} inside the caller's transaction; an event id already there is kept once.
   */
  public Uni<Void> add(Tx tx, List<OutboxEvent> events) {
    if (events.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Tuple> rows =
        events.stream()
            .map(
                e ->
                    Tuple.from(
                        Arrays.asList(
                            e.eventId(), e.topic(), e.application(), e.json(), e.traceparent())))
            .toList();
    return (rows.size() == 1
            ? tx.sql().preparedQuery(ADD).execute(rows.get(0))
            : tx.sql().preparedQuery(ADD).executeBatch(rows))
        .replaceWithVoid();
  }

  /** The oldest {@code limit} rows still to publish, in the order they were written. */
  public Uni<List<Unsent>> unsent(int limit) {
    return pool.preparedQuery(UNSENT)
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              List<Unsent> found = new ArrayList<>();
              for (Row row : rows) {
                found.add(
                    new Unsent(
                        row.getLong(0),
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5)));
              }
              return found;
            });
  }

  /** Records that Kafka acknowledged the rows {@code ids}. */
  public Uni<Void> markSent(List<Long> ids) {
    if (ids.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return pool.preparedQuery(MARK_SENT)
        .execute(Tuple.of(ids.toArray(Long[]::new)))
        .replaceWithVoid();
  }

  /** Sets row {@code id} aside: Kafka refuses it, for {@code reason}. */
  public Uni<Void> park(long id, String reason) {
    return pool.preparedQuery(PARK).execute(Tuple.of(id, reason)).replaceWithVoid();
  }

  /** How many rows wait, since when, and how many are parked. */
  public Uni<Backlog> backlog() {
    return pool.query(BACKLOG)
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Backlog(row.getLong(0), row.getOffsetDateTime(1), row.getLong(2));
            });
  }

  /** Parked rows after {@code afterId} (null: from the first), oldest first. */
  public Uni<List<Parked>> parked(Long afterId, int limit) {
    return pool.preparedQuery(PARKED).execute(Tuple.of(afterId, limit)).map(OutboxStore::toParked);
  }

  /** Locks parked row {@code id} in {@code tx}; empty when there is no such parked row. */
  public Uni<Optional<Parked>> lockParked(Tx tx, long id) {
    return tx.sql()
        .preparedQuery(LOCK_PARKED)
        .execute(Tuple.of(id))
        .map(rows -> toParked(rows).stream().findFirst());
  }

  /** Puts parked row {@code id} back in line, at its place, in {@code tx}. */
  public Uni<Void> unpark(Tx tx, long id) {
    return tx.sql().preparedQuery(UNPARK).execute(Tuple.of(id)).replaceWithVoid();
  }

  /** Deletes row {@code id} in {@code tx}. */
  public Uni<Void> delete(Tx tx, long id) {
    return tx.sql().preparedQuery(DELETE).execute(Tuple.of(id)).replaceWithVoid();
  }

  /** Deletes up to {@code limit} rows sent before {@code cutoff}; returns how many. */
  public Uni<Integer> deleteSentBefore(OffsetDateTime cutoff, int limit) {
    return pool.preparedQuery(DELETE_SENT).execute(Tuple.of(cutoff, limit)).map(RowSet::rowCount);
  }

  private static List<Parked> toParked(RowSet<Row> rows) {
    List<Parked> parked = new ArrayList<>();
    for (Row row : rows) {
      parked.add(
          new Parked(
              row.getLong(0),
              row.getString(1),
              row.getString(2),
              row.getString(3),
              row.getString(4),
              row.getOffsetDateTime(5),
              row.getOffsetDateTime(6),
              row.getString(7)));
    }
    return parked;
  }
}

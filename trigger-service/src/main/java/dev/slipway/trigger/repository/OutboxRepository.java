package dev.slipway.trigger.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox of commit.received: rows are appended inside the transaction that accepts a push or a
 * manual run, read back in id order by the relay, and marked sent only after Kafka acknowledged
 * them. A row Kafka can never take is parked with the reason instead of blocking the rows behind
 * it. A lease row names the one instance that relays at a time.
 */
@ApplicationScoped
public class OutboxRepository {

  private static final String APPEND =
      "INSERT INTO outbox (event_id, application, event) VALUES ($1, $2, $3)";
  private static final String UNSENT =
      """
      SELECT id, event_id, application, event FROM outbox
      WHERE sent_at IS NULL AND parked_at IS NULL
      ORDER BY id LIMIT $1
      """;
  private static final String MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE id = ANY($1)";
  private static final String PARK =
      "UPDATE outbox SET parked_at = now(), parked_why = $2 WHERE id = $1";
  private static final String BACKLOG =
      """
      SELECT count(*), min(created_at) FROM outbox
      WHERE sent_at IS NULL AND parked_at IS NULL
      """;
  private static final String HOLD_LEASE =
      """
      INSERT INTO relay_lease (name, holder, expires_at)
      VALUES ($1, $2, now() + $3::bigint * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE
        SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE relay_lease.holder = EXCLUDED.holder OR relay_lease.expires_at < now()
      RETURNING holder
      """;
  private static final String RELEASE_LEASE =
      "DELETE FROM relay_lease WHERE name = $1 AND holder = $2";
  private static final String DELETE_SENT =
      """
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE sent_at < $1 ORDER BY id LIMIT $2)
      """;

  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /** A row of the outbox: one event, as structured-mode CloudEvents JSON. */
  public record Entry(long id, String eventId, String application, String event) {}

  /**
   * How far the relay is behind.
   *
   * @param unsent rows neither sent nor parked
   * @param oldest when the oldest of them was written; null when there is none
   */
  public record Backlog(long unsent, OffsetDateTime oldest) {}

  /** Appends {@code event} of {@code application} inside the caller's transaction. */
  public Uni<Void> append(
      SqlConnection transaction, String eventId, String application, String event) {
    return transaction
        .preparedQuery(APPEND)
        .execute(Tuple.of(eventId, application, event))
        .replaceWithVoid();
  }

  /** The oldest {@code limit} rows still to publish, in the order they were written. */
  public Uni<List<Entry>> unsent(int limit) {
    return pool.preparedQuery(UNSENT)
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              List<Entry> entries = new ArrayList<>();
              for (Row row : rows) {
                entries.add(
                    new Entry(
                        row.getLong(0), row.getString(1), row.getString(2), row.getString(3)));
              }
              return entries;
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

  /** Sets row {@code id} aside for good: Kafka cannot take it, for {@code reason}. */
  public Uni<Void> park(long id, String reason) {
    return pool.preparedQuery(PARK).execute(Tuple.of(id, reason)).replaceWithVoid();
  }

  /** How many rows wait, and since when. */
  public Uni<Backlog> backlog() {
    return pool.query(BACKLOG)
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Backlog(row.getLong(0), row.getOffsetDateTime(1));
            });
  }

  /**
   * Takes or renews the relay lease {@code name} for {@code holder} for {@code duration}; true when
   * {@code holder} holds it now (it was free, expired, or already {@code holder}'s).
   */
  public Uni<Boolean> holdLease(String name, String holder, Duration duration) {
    return pool.preparedQuery(HOLD_LEASE)
        .execute(Tuple.of(name, holder, duration.toMillis()))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Gives the relay lease {@code name} up, if {@code holder} holds it. */
  public Uni<Void> releaseLease(String name, String holder) {
    return pool.preparedQuery(RELEASE_LEASE).execute(Tuple.of(name, holder)).replaceWithVoid();
  }

  /** Deletes up to {@code limit} rows sent before {@code cutoff}; returns how many. */
  public Uni<Integer> deleteSentBefore(OffsetDateTime cutoff, int limit) {
    return pool.preparedQuery(DELETE_SENT)
        .execute(Tuple.of(cutoff, limit))
        .map(rows -> rows.rowCount());
  }
}

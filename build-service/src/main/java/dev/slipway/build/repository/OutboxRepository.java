package dev.slipway.build.repository;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Events waiting to be published, written in the transaction of the state change that caused them
 * (CloudEvents structured JSON). One relay at a time, cluster-wide, holds a PostgreSQL advisory
 * lock while it publishes, so events leave in the order they were written.
 */
@ApplicationScoped
public class OutboxRepository {

  // Any constant both instances agree on; it names the relay's lock.
  private static final long RELAY_LOCK = 0x5_11_b_0a7_0b0L;

  private static final String ADD =
      """
      INSERT INTO outbox (event_id, application, event) VALUES ($1, $2, $3)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private static final String UNSENT =
      "SELECT seq, event FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1";

  private static final String MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE seq = $1";

  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /** Adds {@code event} within the caller's transaction; the same event id is kept once. */
  public Uni<Void> add(SqlConnection connection, Envelope<?> event) {
    return connection
        .preparedQuery(ADD)
        .execute(Tuple.of(event.id(), event.subject(), Buffer.buffer(EventJson.writeEvent(event))))
        .replaceWithVoid();
  }

  /** An event to publish. */
  public record Pending(long seq, byte[] event) {}

  /**
   * Runs {@code publish} over up to {@code limit} unsent events in order, while holding the relay
   * lock; each event {@code publish} completes is marked sent at once. Does nothing when another
   * relay holds the lock.
   *
   * @return how many events were published
   */
  public Uni<Integer> relay(int limit, Function<Pending, Uni<Void>> publish) {
    return pool.withConnection(
        connection ->
            connection
                .preparedQuery("SELECT pg_try_advisory_lock($1)")
                .execute(Tuple.of(RELAY_LOCK))
                .flatMap(
                    locked ->
                        !locked.iterator().next().getBoolean(0)
                            ? Uni.createFrom().item(0)
                            : publishAll(connection, limit, publish)
                                .onTermination()
                                .call(
                                    () ->
                                        connection
                                            .preparedQuery("SELECT pg_advisory_unlock($1)")
                                            .execute(Tuple.of(RELAY_LOCK))
                                            .onFailure()
                                            .recoverWithNull())));
  }

  private static Uni<Integer> publishAll(
      SqlConnection connection, int limit, Function<Pending, Uni<Void>> publish) {
    return connection
        .preparedQuery(UNSENT)
        .execute(Tuple.of(limit))
        .flatMap(
            rows -> {
              List<Pending> pending = new ArrayList<>();
              for (Row row : rows) {
                pending.add(new Pending(row.getLong("seq"), row.getBuffer("event").getBytes()));
              }
              Uni<Integer> chain = Uni.createFrom().item(0);
              for (Pending event : pending) {
                chain =
                    chain.flatMap(
                        count ->
                            publish
                                .apply(event)
                                .flatMap(
                                    sent ->
                                        connection
                                            .preparedQuery(MARK_SENT)
                                            .execute(Tuple.of(event.seq())))
                                .replaceWith(count + 1));
              }
              return chain;
            });
  }
}

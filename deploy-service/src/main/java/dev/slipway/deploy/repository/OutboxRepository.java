package dev.slipway.deploy.repository;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * The transactional outbox: events are added in the transaction of the state change that causes
 * them, as structured-mode CloudEvents JSON, and relayed later. An event id is derived from its
 * cause, so adding the same event twice (a retried transaction) keeps one row.
 */
@ApplicationScoped
public class OutboxRepository {

  /**
   * Taken by the relay for its transaction: one relay at a time, so order holds across instances.
   */
  private static final long RELAY_LOCK = 0x5d3e_0b0c_0001L;

  private static final String INSERT =
      """
      INSERT INTO outbox (event_id, topic, application, event)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (event_id) DO NOTHING
      """;

  private static final String CLAIM =
      """
      SELECT seq, event_id, topic, application, event FROM outbox
      WHERE sent_at IS NULL
      ORDER BY seq
      LIMIT $1
      """;

  private static final String MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE seq = ANY($1)";

  private static final String UNSENT = "SELECT count(*) FROM outbox WHERE sent_at IS NULL";

  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /** Adds {@code event} within the caller's transaction. */
  public Uni<Void> add(SqlClient transaction, Envelope<?> event) {
    String topic =
        EventType.forCeType(event.type())
            .orElseThrow(() -> new IllegalArgumentException("unknown event type " + event.type()))
            .topic();
    String json = new String(EventJson.writeEvent(event), StandardCharsets.UTF_8);
    return transaction
        .preparedQuery(INSERT)
        .execute(Tuple.of(event.id(), topic, event.subject(), json))
        .replaceWithVoid();
  }

  /** Takes the relay lock for the caller's transaction; false when another relay holds it. */
  public Uni<Boolean> lockRelay(SqlConnection transaction) {
    return transaction
        .preparedQuery("SELECT pg_try_advisory_xact_lock($1)")
        .execute(Tuple.of(RELAY_LOCK))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** The oldest unsent events, in order. */
  public Uni<List<Pending>> unsent(SqlConnection transaction, int limit) {
    return transaction
        .preparedQuery(CLAIM)
        .execute(Tuple.of(limit))
        .map(
            rows ->
                StreamSupport.stream(rows.spliterator(), false)
                    .map(
                        row ->
                            new Pending(
                                row.getLong("seq"),
                                row.getString("event_id"),
                                row.getString("topic"),
                                row.getString("application"),
                                row.getString("event")))
                    .toList());
  }

  /** Marks events sent once Kafka acknowledged them. */
  public Uni<Void> markSent(SqlConnection transaction, List<Long> seqs) {
    return transaction
        .preparedQuery(MARK_SENT)
        .execute(Tuple.of(seqs.toArray(new Long[0])))
        .replaceWithVoid();
  }

  /** How many events wait to be relayed. */
  public Uni<Long> countUnsent() {
    return pool.query(UNSENT).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * An event waiting in the outbox.
   *
   * @param seq its place in the outbox's order
   * @param eventId its id
   * @param topic the topic it goes to
   * @param application its subject, the Kafka key
   * @param event the structured-mode CloudEvents JSON
   */
  public record Pending(long seq, String eventId, String topic, String application, String event) {}
}

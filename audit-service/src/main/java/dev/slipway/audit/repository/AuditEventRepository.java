package dev.slipway.audit.repository;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.service.AuditChain;
import dev.slipway.audit.service.CanonicalJson;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The append-only audit store in PostgreSQL. Appends are serialized by a transaction-scoped
 * advisory lock, so the chain never forks even with several writers (threads or replicas): the
 * previous hash is read inside the transaction after the lock is taken.
 */
@ApplicationScoped
public class AuditEventRepository {

  /** Key of the advisory lock every chain append holds until it commits. */
  public static final long CHAIN_LOCK = 0x5_1199_A0D1L;

  public static final String COLUMNS =
      """
      seq, topic, kafka_partition, kafka_offset, record_key, event_id, type, source, application,
      run_id, causation_id, commit_sha, environment, actor, status, event_time, recorded_at,
      problem, event::text AS event, headers::text AS headers,
      encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash
      """;

  private static final String LOCK_CHAIN = "SELECT pg_advisory_xact_lock(" + CHAIN_LOCK + ")";

  /** The chain's tail, then every stored row the batch would repeat, in one round trip. */
  private static final String TAIL_AND_DUPLICATES =
      """
      (SELECT 'tail' AS kind, seq, hash, NULL::text AS topic, NULL::int AS kafka_partition,
              NULL::bigint AS kafka_offset, NULL::text AS event_id
         FROM audit_events ORDER BY seq DESC LIMIT 1)
      UNION ALL
      SELECT 'record', NULL, NULL, e.topic, e.kafka_partition, e.kafka_offset, e.event_id
        FROM unnest($1::text[], $2::int[], $3::bigint[]) AS k(topic, kafka_partition, kafka_offset)
        JOIN audit_events e USING (topic, kafka_partition, kafka_offset)
      UNION ALL
      SELECT 'event', NULL, NULL, e.topic, e.kafka_partition, e.kafka_offset, e.event_id
        FROM unnest($1::text[], $4::text[]) AS k(topic, event_id)
        JOIN audit_events e USING (topic, event_id)
      """;

  private static final String INSERT =
      """
      INSERT INTO audit_events (seq, topic, kafka_partition, kafka_offset, record_key, event_id,
          type, source, application, run_id, causation_id, commit_sha, environment, actor, status,
          event_time, recorded_at, problem, event, headers, prev_hash, hash)
      SELECT seq, topic, kafka_partition, kafka_offset, record_key, event_id, type, source,
             application, run_id, causation_id, commit_sha, environment, actor, status,
             event_time, recorded_at, problem, event::jsonb, headers::jsonb,
             decode(prev_hash, 'hex'), decode(hash, 'hex')
        FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bigint[], $5::text[], $6::text[],
                    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                    $13::text[], $14::text[], $15::text[], $16::timestamptz[],
                    $17::timestamptz[], $18::text[], $19::text[], $20::text[], $21::text[],
                    $22::text[])
          AS r(seq, topic, kafka_partition, kafka_offset, record_key, event_id, type, source,
               application, run_id, causation_id, commit_sha, environment, actor, status,
               event_time, recorded_at, problem, event, headers, prev_hash, hash)
      """;

  private final Pool pool;

  public AuditEventRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Appends a batch in one transaction and a fixed number of round trips: records already stored
   * (same topic, partition and offset, or same topic and event id) and repeats inside the batch are
   * skipped, the rest are chained in batch order.
   *
   * @return how many rows were added
   */
  public Uni<Integer> append(List<AuditRecord> batch) {
    if (batch.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    // Everything that does not depend on the place in the chain is done before taking the lock.
    List<Prepared> prepared = new ArrayList<>(batch.size());
    for (AuditRecord r : batch) {
      prepared.add(
          new Prepared(
              r,
              AuditChain.body(r).getBytes(StandardCharsets.UTF_8),
              CanonicalJson.write(r.event()),
              r.headers() == null ? null : CanonicalJson.write(r.headers())));
    }
    return pool.withTransaction(
        connection ->
            connection
                .query(LOCK_CHAIN)
                .execute()
                .flatMap(locked -> tailAndDuplicates(connection, batch))
                .flatMap(found -> insert(connection, chain(prepared, found))));
  }

  /** A record with its hashed body and stored JSON ready, before it has a place in the chain. */
  private record Prepared(AuditRecord record, byte[] body, String event, String headers) {}

  private static Uni<RowSet<Row>> tailAndDuplicates(
      SqlConnection connection, List<AuditRecord> batch) {
    int n = batch.size();
    String[] topics = new String[n];
    Integer[] partitions = new Integer[n];
    Long[] offsets = new Long[n];
    String[] eventIds = new String[n];
    for (int i = 0; i < n; i++) {
      AuditRecord r = batch.get(i);
      topics[i] = r.topic();
      partitions[i] = r.partition();
      offsets[i] = r.offset();
      eventIds[i] = r.eventId();
    }
    return connection
        .preparedQuery(TAIL_AND_DUPLICATES)
        .execute(Tuple.of(topics, partitions, offsets, eventIds));
  }

  private static List<Object[]> chain(List<Prepared> batch, RowSet<Row> found) {
    long seq = 0;
    byte[] prev = AuditChain.GENESIS;
    Set<String> seen = new HashSet<>();
    for (Row row : found) {
      if (row.getString("kind").equals("tail")) {
        seq = row.getLong("seq");
        prev = row.getBuffer("hash").getBytes();
      } else {
        seen.add(
            recordKey(
                row.getString("topic"),
                row.getInteger("kafka_partition"),
                row.getLong("kafka_offset")));
        if (row.getString("event_id") != null) {
          seen.add(eventKey(row.getString("topic"), row.getString("event_id")));
        }
      }
    }
    OffsetDateTime recordedAt = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    List<Object[]> rows = new ArrayList<>(batch.size());
    for (Prepared p : batch) {
      AuditRecord r = p.record();
      boolean fresh = seen.add(recordKey(r.topic(), r.partition(), r.offset()));
      if (r.eventId() != null) {
        fresh &= seen.add(eventKey(r.topic(), r.eventId()));
      }
      if (!fresh) {
        continue;
      }
      seq++;
      byte[] hash = AuditChain.hash(prev, seq, recordedAt, p.body());
      rows.add(
          new Object[] {
            seq,
            r.topic(),
            r.partition(),
            r.offset(),
            r.key(),
            r.eventId(),
            r.type(),
            r.source(),
            r.application(),
            r.runId(),
            r.causationId(),
            r.commitSha(),
            r.environment(),
            r.actor(),
            r.status(),
            r.eventTime(),
            recordedAt,
            r.problem(),
            p.event(),
            p.headers(),
            AuditChain.hex(prev),
            AuditChain.hex(hash)
          });
      prev = hash;
    }
    return rows;
  }

  private static Uni<Integer> insert(SqlConnection connection, List<Object[]> rows) {
    if (rows.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    Class<?>[] types = {
      Long.class,
      String.class,
      Integer.class,
      Long.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class,
      OffsetDateTime.class,
      OffsetDateTime.class,
      String.class,
      String.class,
      String.class,
      String.class,
      String.class
    };
    Object[] columns = new Object[types.length];
    for (int c = 0; c < types.length; c++) {
      Object[] column = (Object[]) Array.newInstance(types[c], rows.size());
      for (int i = 0; i < rows.size(); i++) {
        column[i] = rows.get(i)[c];
      }
      columns[c] = column;
    }
    return connection
        .preparedQuery(INSERT)
        .execute(Tuple.from(Arrays.asList(columns)))
        .map(RowSet::rowCount);
  }

  private static String recordKey(String topic, int partition, long offset) {
    return topic + '\u0000' + partition + '\u0000' + offset;
  }

  private static String eventKey(String topic, String eventId) {
    return topic + '\u0001' + eventId;
  }

  /** Rows of one query, mapped. */
  public Uni<List<AuditEvent>> list(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(AuditEventRepository::events);
  }

  /** Plain rows of one query, for aggregates. */
  public Uni<RowSet<Row>> rows(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params);
  }

  /**
   * Streams the rows of one query from a server-side cursor inside a read-only transaction, {@code
   * fetchSize} rows at a time as the subscriber asks for them: memory stays constant whatever the
   * size of the result.
   */
  public Multi<AuditEvent> stream(String sql, Tuple params, int fetchSize) {
    return Multi.createFrom()
        .resourceFromUni(
            pool::getConnection,
            connection ->
                connection
                    .begin()
                    .onItem()
                    .transformToMulti(
                        tx ->
                            connection
                                .prepare(sql)
                                .onItem()
                                .transformToMulti(
                                    statement ->
                                        statement.createStream(fetchSize, params).toMulti())
                                .onTermination()
                                .call(tx::rollback)))
        .withFinalizer(SqlConnection::close)
        .map(AuditEventRepository::event);
  }

  static List<AuditEvent> events(RowSet<Row> rows) {
    List<AuditEvent> events = new ArrayList<>(rows.size());
    for (Row row : rows) {
      events.add(event(row));
    }
    return events;
  }

  /** A stored row as an {@link AuditEvent}, its JSON read back exactly. */
  public static AuditEvent event(Row row) {
    String headers = row.getString("headers");
    AuditRecord record =
        new AuditRecord(
            row.getString("topic"),
            row.getInteger("kafka_partition"),
            row.getLong("kafka_offset"),
            row.getString("record_key"),
            row.getString("event_id"),
            row.getString("type"),
            row.getString("source"),
            row.getString("application"),
            row.getString("run_id"),
            row.getString("causation_id"),
            row.getString("commit_sha"),
            row.getString("environment"),
            row.getString("actor"),
            row.getString("status"),
            utc(row.getOffsetDateTime("event_time")),
            row.getString("problem"),
            CanonicalJson.parse(row.getString("event")),
            headers == null ? null : CanonicalJson.parse(headers));
    return new AuditEvent(
        row.getLong("seq"),
        utc(row.getOffsetDateTime("recorded_at")),
        record,
        row.getString("prev_hash"),
        row.getString("hash"));
  }

  private static OffsetDateTime utc(OffsetDateTime time) {
    return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC);
  }
}

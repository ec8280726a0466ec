package dev.slipway.audit.repository;

import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.service.AuditContent;
import dev.slipway.audit.service.CanonicalJson;
import dev.slipway.audit.service.CompactRange;
import dev.slipway.audit.service.MerkleTree;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Appends records to the audit log: rows, their place in the hash chain and in the Merkle tree, in
 * one transaction. Appends are serialized by a transaction-scoped advisory lock, so the log never
 * forks even with several writers (threads or replicas): the tail is read after the lock is taken.
 * Before the lock, per record: its canonical content, the SHA-256 of its body and its columns
 * encoded for COPY; per batch, one query for stored rows with its event ids. Under the lock, per
 * batch: one query for the tail, each partition's highest stored offset and twins appended since;
 * per row the end of its leaf hash (a few bytes) and its chain hash; one binary COPY; an insert of
 * the few tree nodes that completed. The lock is held for little more than PostgreSQL's own work.
 *
 * <p>What is not appended: a record at or below its partition's stored offset (a redelivery; the
 * partition is keyed by the topic's id, so a recreated topic starts afresh), and a record whose
 * topic, source and id match a stored event with the same content (the same event published twice).
 * A record with the same identity but other content is appended with {@code conflict_of} naming the
 * first such row.
 */
@ApplicationScoped
public class AuditStoreWriter {

  /** Key of the advisory lock every append holds until it commits. */
  public static final long APPEND_LOCK = 0x5_1199_A0D1L;

  /** Levels per tile: the tree stores its nodes at levels 8, 16, 24, ... */
  public static final int TILE_HEIGHT = 8;

  private static final String LOCK = "SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ")";

  /**
   * Before the lock: the log's size then, and every stored row with an event id of the batch (its
   * twin candidates), in one round trip.
   */
  private static final String TWINS =
      """
      SELECT 'tail' AS kind, coalesce(max(seq), 0) AS seq, NULL::text AS topic,
             NULL::text AS source, NULL::text AS event_id, NULL::text AS event
        FROM audit_events
      UNION ALL
      SELECT 'twin', e.seq, e.topic, e.source, e.event_id, e.event::text
        FROM audit_events e WHERE e.event_id = ANY(?::text[])
      """;

  /**
   * Under the lock: the tail, each partition's highest stored offset, and twins appended since the
   * query before the lock, in one round trip.
   */
  private static final String STATE =
      """
      (SELECT 'tail' AS kind, seq, hash, NULL::text AS topic_id, NULL::int AS part,
              NULL::text AS topic, NULL::text AS source, NULL::text AS event_id, NULL::text AS event
         FROM audit_events ORDER BY seq DESC LIMIT 1)
      UNION ALL
      SELECT 'watermark', (SELECT max(e.kafka_offset) FROM audit_events e
                            WHERE e.topic_id = k.topic_id AND e.kafka_partition = k.part),
             NULL, k.topic_id::text, k.part, NULL, NULL, NULL, NULL
        FROM unnest(?::uuid[], ?::int[]) AS k(topic_id, part)
      UNION ALL
      SELECT 'twin', e.seq, NULL, NULL, NULL, e.topic, e.source, e.event_id, e.event::text
        FROM audit_events e WHERE e.seq > ? AND e.event_id = ANY(?::text[])
      """;

  private static final String WATERMARKS =
      """
      SELECT k.topic_id::text, k.part, (SELECT max(e.kafka_offset) FROM audit_events e
                                         WHERE e.topic_id = k.topic_id AND e.kafka_partition = k.part)
        FROM unnest(?::uuid[], ?::int[]) AS k(topic_id, part)
      """;

  /** The body's columns, encoded before the lock, then the position and the hashes. */
  private static final List<AuditColumn> COPY_COLUMNS =
      Stream.of(AuditColumn.BODY, AuditColumn.POSITION, AuditColumn.HASHES)
          .flatMap(List::stream)
          .toList();

  private static final String COPY =
      "COPY audit_events ("
          + String.join(", ", COPY_COLUMNS.stream().map(AuditColumn::sql).toList())
          + ") FROM STDIN WITH (FORMAT binary)";

  private static final AuditColumn.Kind[] BODY_KINDS =
      AuditColumn.BODY.stream().map(AuditColumn::kind).toArray(AuditColumn.Kind[]::new);

  private static final String INSERT_NODE =
      "INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (?, ?, ?)";

  /** One Kafka partition of one incarnation of a topic. */
  public record PartitionKey(String topicId, int partition) {}

  /**
   * What an append did.
   *
   * @param appended rows added
   * @param alreadyStored records skipped: redelivered, or the same event published again
   * @param conflicts rows added whose identity an earlier, different row already had
   * @param lastSeq the log's last seq after the append
   */
  public record AppendResult(int appended, int alreadyStored, int conflicts, long lastSeq) {}

  private final AgroalDataSource dataSource;

  /** The tree's frontier after the last committed append of this instance; null when unknown. */
  private CompactRange frontier;

  /** The chain hash of the last row of that append, to recognise the tail it belongs to. */
  private byte[] frontierTail;

  private final Timer lockWait;
  private final Timer locked;
  private final DistributionSummary batchSize;

  public AuditStoreWriter(AgroalDataSource dataSource, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.lockWait = registry.timer("slipway.audit.append.lock.wait");
    this.locked = registry.timer("slipway.audit.append.locked");
    this.batchSize = registry.summary("slipway.audit.append.records");
  }

  /**
   * The highest stored offset of each partition, read without the lock: watermarks only grow, so a
   * record at or below one is certainly stored.
   */
  public Map<PartitionKey, Long> watermarks(Set<PartitionKey> partitions) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement sql = c.prepareStatement(WATERMARKS)) {
      bindPartitions(c, sql, partitions);
      Map<PartitionKey, Long> marks = new HashMap<>();
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          long offset = rows.getLong(3);
          if (!rows.wasNull()) {
            marks.put(new PartitionKey(rows.getString(1), rows.getInt(2)), offset);
          }
        }
      }
      return marks;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Appends a batch in batch order.
   *
   * @throws StoreUnavailableException when the database could not take it now; retry the batch
   * @throws RecordsRefusedException when PostgreSQL refused what is in the batch
   */
  public AppendResult append(List<AuditRecord> batch) {
    List<Prepared> prepared = new ArrayList<>(batch.size());
    for (AuditRecord record : batch) {
      prepared.add(prepare(record));
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Twins twins = twins(c, prepared);
        Appended appended = appendLocked(c, prepared, twins);
        c.commit();
        locked.record(System.nanoTime() - appended.lockedAt(), TimeUnit.NANOSECONDS);
        batchSize.record(batch.size());
        remember(appended.frontier(), appended.lastHash());
        return appended.result();
      } catch (SQLException | RuntimeException e) {
        forgetFrontier();
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Everything about a record that does not depend on its place in the log. */
  private static Prepared prepare(AuditRecord record) {
    AuditContent.Body body = AuditContent.body(record);
    Object[] values = new Object[AuditColumn.BODY.size()];
    for (int i = 0; i < values.length; i++) {
      AuditColumn column = AuditColumn.BODY.get(i);
      values[i] =
          switch (column) {
            case EVENT -> body.event();
            case HEADERS -> body.headers();
            default -> column.of(record);
          };
    }
    return new Prepared(
        record,
        body.event(),
        AuditContent.bodyDigest(body.text().getBytes(StandardCharsets.UTF_8)),
        BinaryCopy.encode(BODY_KINDS, values));
  }

  /** Stored rows with the batch's event ids before the lock, and the log's size then. */
  private record Twins(long tail, Map<String, List<Twin>> byIdentity) {}

  private static Twins twins(Connection c, List<Prepared> batch) throws SQLException {
    Set<String> ids = new LinkedHashSet<>();
    for (Prepared p : batch) {
      if (p.record().eventId() != null) {
        ids.add(p.record().eventId());
      }
    }
    long tail = 0;
    Map<String, List<Twin>> byIdentity = new HashMap<>();
    try (PreparedStatement sql = c.prepareStatement(TWINS)) {
      sql.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          if (rows.getString("kind").equals("tail")) {
            tail = rows.getLong("seq");
          } else {
            addTwin(byIdentity, rows);
          }
        }
      }
    }
    return new Twins(tail, byIdentity);
  }

  private static void addTwin(Map<String, List<Twin>> byIdentity, ResultSet rows)
      throws SQLException {
    byIdentity
        .computeIfAbsent(
            identity(rows.getString("topic"), rows.getString("source"), rows.getString("event_id")),
            k -> new ArrayList<>())
        .add(
            new Twin(
                rows.getLong("seq"),
                CanonicalJson.write(CanonicalJson.parse(rows.getString("event")))));
  }

  /**
   * A record ready before it has a place in the log: its canonical event (to compare with twins),
   * the digest of its content's body and its body's columns encoded for COPY.
   */
  private record Prepared(
      AuditRecord record, String event, MessageDigest bodyDigest, byte[] encodedBody) {}

  /** An earlier row with the same identity, and its canonical event. */
  private record Twin(long seq, String event) {}

  /**
   * What an append wrote: its result, and the tree's frontier and the chain's last hash after it.
   */
  private record Appended(
      AppendResult result, CompactRange frontier, byte[] lastHash, long lockedAt) {}

  private Appended appendLocked(Connection c, List<Prepared> batch, Twins before)
      throws SQLException {
    long waitFrom = System.nanoTime();
    try (Statement lock = c.createStatement()) {
      lock.execute(LOCK);
    }
    long lockedAt = System.nanoTime();
    lockWait.record(lockedAt - waitFrom, TimeUnit.NANOSECONDS);
    long tail = 0;
    byte[] prev = AuditContent.GENESIS;
    Map<PartitionKey, Long> marks = new HashMap<>();
    Map<String, List<Twin>> twins = before.byIdentity();
    Set<PartitionKey> partitions = new LinkedHashSet<>();
    Set<String> ids = new LinkedHashSet<>();
    for (Prepared p : batch) {
      AuditRecord r = p.record();
      if (r.topicId() != null && r.partition() != null) {
        partitions.add(new PartitionKey(r.topicId(), r.partition()));
      }
      if (r.eventId() != null) {
        ids.add(r.eventId());
      }
    }
    try (PreparedStatement sql = c.prepareStatement(STATE)) {
      bindPartitions(c, sql, partitions);
      sql.setLong(3, before.tail());
      sql.setArray(4, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          switch (rows.getString("kind")) {
            case "tail" -> {
              tail = rows.getLong("seq");
              prev = rows.getBytes("hash");
            }
            case "watermark" -> {
              long offset = rows.getLong("seq");
              if (!rows.wasNull()) {
                marks.put(
                    new PartitionKey(rows.getString("topic_id"), rows.getInt("part")), offset);
              }
            }
            default -> addTwin(twins, rows);
          }
        }
      }
    }

    CompactRange tree = frontier(c, tail, prev);
    OffsetDateTime recordedAt = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    BinaryCopy copy = new BinaryCopy(batch.size() * 2048);
    List<Object[]> nodes = new ArrayList<>();
    long seq = tail;
    int skipped = 0;
    int conflicts = 0;
    for (Prepared p : batch) {
      AuditRecord r = p.record();
      if (r.topicId() != null && r.partition() != null && r.offset() != null) {
        PartitionKey partition = new PartitionKey(r.topicId(), r.partition());
        Long mark = marks.get(partition);
        if (mark != null && r.offset() <= mark) {
          skipped++;
          continue;
        }
        marks.put(partition, r.offset());
      }
      Long conflictOf = null;
      if (r.eventId() != null) {
        List<Twin> same =
            twins.computeIfAbsent(
                identity(r.topic(), r.source(), r.eventId()), k -> new ArrayList<>());
        if (same.stream().anyMatch(t -> t.event().equals(p.event()))) {
          skipped++;
          continue;
        }
        if (!same.isEmpty()) {
          conflictOf = same.stream().mapToLong(Twin::seq).min().orElseThrow();
          conflicts++;
        }
        same.add(new Twin(seq + 1, p.event()));
      }
      seq++;
      byte[] leaf =
          AuditContent.leafHash(p.bodyDigest(), AuditContent.position(seq, recordedAt, conflictOf));
      byte[] hash = AuditContent.chainHash(prev, leaf);
      tree.append(
          leaf,
          (level, index, node) -> {
            if (level % TILE_HEIGHT == 0) {
              nodes.add(new Object[] {level, index, node});
            }
          });
      writeRow(copy, seq, recordedAt, conflictOf, p, leaf, prev, hash);
      prev = hash;
    }
    int appended = (int) (seq - tail);
    if (appended > 0) {
      CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
      byte[] bytes = copy.finish();
      try {
        in.writeToCopy(bytes, 0, bytes.length);
        in.endCopy();
      } finally {
        if (in.isActive()) {
          in.cancelCopy();
        }
      }
      if (!nodes.isEmpty()) {
        try (PreparedStatement insert = c.prepareStatement(INSERT_NODE)) {
          for (Object[] node : nodes) {
            insert.setShort(1, (short) (int) node[0]);
            insert.setLong(2, (Long) node[1]);
            insert.setBytes(3, (byte[]) node[2]);
            insert.addBatch();
          }
          insert.executeBatch();
        }
      }
    }
    return new Appended(new AppendResult(appended, skipped, conflicts, seq), tree, prev, lockedAt);
  }

  private static void writeRow(
      BinaryCopy copy,
      long seq,
      OffsetDateTime recordedAt,
      Long conflictOf,
      Prepared p,
      byte[] leaf,
      byte[] prev,
      byte[] hash) {
    copy.row(COPY_COLUMNS.size());
    copy.raw(p.encodedBody());
    copy.field(AuditColumn.Kind.BIGINT, seq);
    copy.field(AuditColumn.Kind.TIMESTAMP, recordedAt);
    copy.field(AuditColumn.Kind.BIGINT, conflictOf);
    copy.field(AuditColumn.Kind.HASH, leaf);
    copy.field(AuditColumn.Kind.HASH, prev);
    copy.field(AuditColumn.Kind.HASH, hash);
  }

  /**
   * The frontier at the tail: the one this instance left if the tail is still the row it wrote
   * last, else recomputed from storage (another writer appended meanwhile).
   */
  private synchronized CompactRange frontier(Connection c, long size, byte[] tailHash) {
    if (frontier != null && frontier.size() == size && Arrays.equals(frontierTail, tailHash)) {
      return frontier.copy();
    }
    return new MerkleTree(new TreeNodes(c), TILE_HEIGHT, size, null).frontier(size);
  }

  private synchronized void remember(CompactRange tree, byte[] tailHash) {
    frontier = tree;
    frontierTail = tailHash;
  }

  private synchronized void forgetFrontier() {
    frontier = null;
    frontierTail = null;
  }

  private static void bindPartitions(
      Connection c, PreparedStatement sql, Set<PartitionKey> partitions) throws SQLException {
    Object[] topicIds = new Object[partitions.size()];
    Object[] numbers = new Object[partitions.size()];
    int i = 0;
    for (PartitionKey p : partitions) {
      topicIds[i] = p.topicId();
      numbers[i++] = p.partition();
    }
    Array ids = c.createArrayOf("uuid", topicIds);
    sql.setArray(1, ids);
    sql.setArray(2, c.createArrayOf("int4", numbers));
  }

  private static String identity(String topic, String source, String eventId) {
    return topic + '\u0000' + source + '\u0000' + eventId;
  }

  private static RuntimeException failure(SQLException e) {
    return StoreUnavailableException.transientFailure(e)
        ? new StoreUnavailableException("the audit store cannot be written", e)
        : new RecordsRefusedException(e);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      // The connection is broken; closing it discards the transaction.
    }
  }
}

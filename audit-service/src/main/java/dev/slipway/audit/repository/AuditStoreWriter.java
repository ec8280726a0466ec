package dev.slipway.audit.repository;

import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.service.AuditContent;
import dev.slipway.audit.service.CanonicalJson;
import dev.slipway.audit.service.CompactRange;
import dev.slipway.audit.service.MerkleTree;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
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
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Appends records to the audit log: rows, their place in the hash chain and in the Merkle tree, in
 * one transaction. Appends are serialized by a transaction-scoped advisory lock, so the log never
 * forks even with several writers (threads or replicas): the tail is read after the lock is taken.
 * Per batch, under the lock: one query for the tail, the highest stored offset of each partition
 * and earlier rows with the same CloudEvents identity; one binary COPY of the rows; an insert of
 * the few tree nodes that completed. The canonical content of every record is written before the
 * lock; under it only the hashes are computed.
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

  /** The tail, each partition's highest stored offset and stored twins, in one round trip. */
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
        FROM audit_events e WHERE e.event_id = ANY(?::text[])
      """;

  private static final String WATERMARKS =
      """
      SELECT k.topic_id::text, k.part, (SELECT max(e.kafka_offset) FROM audit_events e
                                         WHERE e.topic_id = k.topic_id AND e.kafka_partition = k.part)
        FROM unnest(?::uuid[], ?::int[]) AS k(topic_id, part)
      """;

  private static final String COPY =
      "COPY audit_events (" + AuditColumn.NAMES + ") FROM STDIN WITH (FORMAT binary)";

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

  public AuditStoreWriter(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
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
      AuditContent.Body body = AuditContent.body(record);
      prepared.add(new Prepared(record, body, body.text().getBytes(StandardCharsets.UTF_8)));
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Appended appended = appendLocked(c, prepared);
        c.commit();
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

  /** A record with its canonical content ready, before it has a place in the log. */
  private record Prepared(AuditRecord record, AuditContent.Body body, byte[] bodyBytes) {}

  /** An earlier row with the same identity, and its canonical event. */
  private record Twin(long seq, String event) {}

  /**
   * What an append wrote: its result, and the tree's frontier and the chain's last hash after it.
   */
  private record Appended(AppendResult result, CompactRange frontier, byte[] lastHash) {}

  private Appended appendLocked(Connection c, List<Prepared> batch) throws SQLException {
    try (Statement lock = c.createStatement()) {
      lock.execute(LOCK);
    }
    long tail = 0;
    byte[] prev = AuditContent.GENESIS;
    Map<PartitionKey, Long> marks = new HashMap<>();
    Map<String, List<Twin>> twins = new HashMap<>();
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
      sql.setArray(3, c.createArrayOf("text", ids.toArray()));
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
            default ->
                twins
                    .computeIfAbsent(
                        identity(
                            rows.getString("topic"),
                            rows.getString("source"),
                            rows.getString("event_id")),
                        k -> new ArrayList<>())
                    .add(
                        new Twin(
                            rows.getLong("seq"),
                            CanonicalJson.write(CanonicalJson.parse(rows.getString("event")))));
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
        if (same.stream().anyMatch(t -> t.event().equals(p.body().event()))) {
          skipped++;
          continue;
        }
        if (!same.isEmpty()) {
          conflictOf = same.stream().mapToLong(Twin::seq).min().orElseThrow();
          conflicts++;
        }
        same.add(new Twin(seq + 1, p.body().event()));
      }
      seq++;
      byte[] leaf =
          AuditContent.leafHash(AuditContent.position(seq, recordedAt, conflictOf), p.bodyBytes());
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
    return new Appended(new AppendResult(appended, skipped, conflicts, seq), tree, prev);
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
    copy.row(AuditColumn.ALL.size());
    for (AuditColumn column : AuditColumn.ALL) {
      Object value =
          switch (column) {
            case SEQ -> seq;
            case RECORDED_AT -> recordedAt;
            case CONFLICT_OF -> conflictOf;
            case EVENT -> p.body().event();
            case HEADERS -> p.body().headers();
            case LEAF_HASH -> leaf;
            case PREV_HASH -> prev;
            case HASH -> hash;
            default -> column.of(p.record());
          };
      copy.field(column.kind(), value);
    }
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

package dev.slipway.audit.repository;

import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.content.AuditContent;
import dev.slipway.audit.content.CanonicalJson;
import dev.slipway.audit.merkle.MerkleTree;
import dev.slipway.audit.merkle.TreeAppender;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Appends records to the audit log: rows, their place in the hash chain and in the Merkle tree, in
 * one transaction. Appends are serialized by a transaction-scoped advisory lock, so the log never
 * forks even with several writers (threads or replicas): the tail is read after the lock is taken.
 *
 * <p>Before the lock, in the caller's thread: per record its canonical content (UTF-8, once), the
 * SHA-256 of its body and its columns encoded for COPY; per batch one query for stored rows with
 * its event ids. Then the batches of this instance are committed in groups: whichever caller finds
 * no append running appends every batch waiting at that moment in one transaction, so concurrent
 * consumers share one lock, one state query, one COPY and one commit. Under the lock: one query for
 * the tail, each partition's highest stored offset and twins appended since; per row the end of its
 * leaf hash (a few bytes) and its chain hash, streamed into one binary COPY as it is computed; one
 * insert of the tree nodes and full tiles that completed. When PostgreSQL refuses a group for what
 * is in it, each batch of the group is appended alone, so only the batch at fault sees the refusal.
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

  /** Most rows one transaction takes from the batches waiting. */
  static final int MAX_GROUP_ROWS = 8000;

  /** COPY data is handed to PostgreSQL in pieces of this size while the rest is computed. */
  private static final int COPY_CHUNK = 256 * 1024;

  /**
   * Before the lock: the log's size then, and every stored row with an event id of the batch (its
   * twin candidates), in one round trip. Each id is looked up on its own (the subquery, fenced by
   * {@code OFFSET 0}, runs once per id on the event id index): asked for {@code event_id = ANY(2000
   * ids)} without statistics on the column (a new database in its first minute, before autovacuum
   * analysed it), PostgreSQL assumes each id matches 0.5 % of the table and reads all of it, 150 to
   * 500 ms a batch at 300,000 rows. Public for the benchmark, which prints its plan.
   */
  public static final String TWINS =
      """
      SELECT 'tail' AS kind, coalesce(max(seq), 0) AS seq, NULL::text AS topic,
             NULL::text AS source, NULL::text AS event_id, NULL::text AS event
        FROM audit_events
      UNION ALL
      SELECT 'twin', e.seq, e.topic, e.source, e.event_id, e.event::text
        FROM unnest(?::text[]) AS k(id)
       CROSS JOIN LATERAL (SELECT seq, topic, source, event_id, event FROM audit_events
                            WHERE event_id = k.id OFFSET 0) AS e
      """;

  /**
   * Under the lock: the tail, each partition's highest stored offset, and the identity of every row
   * appended since the queries before the lock (a group or two of this instance, or another
   * instance's), in one round trip; which of them are twins of the batch is decided here, not by
   * PostgreSQL matching each row against every id of the batch.
   */
  private static final String STATE =
      """
      (SELECT 'tail' AS kind, seq, hash, NULL::text AS topic_id, NULL::int AS part,
              NULL::text AS topic, NULL::text AS source, NULL::text AS event_id
         FROM audit_events ORDER BY seq DESC LIMIT 1)
      UNION ALL
      SELECT 'watermark', (SELECT max(e.kafka_offset) FROM audit_events e
                            WHERE e.topic_id = k.topic_id AND e.kafka_partition = k.part),
             NULL, k.topic_id::text, k.part, NULL, NULL, NULL
        FROM unnest(?::uuid[], ?::int[]) AS k(topic_id, part)
      UNION ALL
      SELECT 'recent', seq, NULL, NULL, NULL, topic, source, event_id
        FROM audit_events WHERE seq > ? AND seq <= ?
      """;

  /** The append lock, then the state once it is held: two statements, one round trip. */
  private static final String LOCK_THEN_STATE =
      "SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ");\n" + STATE;

  /**
   * Rows the state query reads by seq at most: a bounded range keeps PostgreSQL on the primary key
   * whatever its plan (an open one, {@code seq > ?}, was planned as a scan of the whole table).
   */
  private static final int RECENT_ROWS = 50_000;

  /** Twins among more rows than that (another instance appended a lot meanwhile), by their ids. */
  private static final String LATE_TWINS =
      "SELECT seq, topic, source, event_id, event::text AS event FROM audit_events"
          + " WHERE seq > ? AND event_id = ANY(?::text[])";

  /** The events of rows found to be twins under the lock. */
  private static final String TWIN_EVENTS =
      "SELECT seq, topic, source, event_id, event::text AS event FROM audit_events"
          + " WHERE seq = ANY(?::bigint[])";

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

  private static final int EVENT_FIELD = AuditColumn.BODY.indexOf(AuditColumn.EVENT);

  /** The tree nodes and the full tiles an append completed, in one statement. */
  private static final String INSERT_TREE =
      """
      WITH nodes AS (INSERT INTO audit_tree_nodes (level, idx, hash)
                     SELECT * FROM unnest(?::smallint[], ?::bigint[], ?::bytea[]))
      INSERT INTO audit_tree_tiles (level, idx, hashes)
      SELECT * FROM unnest(?::smallint[], ?::bigint[], ?::bytea[])
      """;

  /** One Kafka partition of one incarnation of a topic. */
  public record PartitionKey(String topicId, int partition) {}

  /**
   * What an append did.
   *
   * @param appended rows added
   * @param alreadyStored records skipped: redelivered, or the same event published again
   * @param conflicts rows added whose identity an earlier, different row already had
   * @param lastSeq the log's last seq once the batch was appended
   */
  public record AppendResult(int appended, int alreadyStored, int conflicts, long lastSeq) {}

  private final AgroalDataSource dataSource;
  private final LogSnapshots snapshots;

  /** Batches prepared and waiting for the next group commit. */
  private final ConcurrentLinkedQueue<Request> waiting = new ConcurrentLinkedQueue<>();

  /** Held by the caller that appends a group for everyone waiting. */
  private final ReentrantLock appending = new ReentrantLock();

  /** Notified when a group was appended: its batches are done and the next group can start. */
  private final Object released = new Object();

  /** The tree's right edge after the last committed append of this instance; null when unknown. */
  private TreeAppender edge;

  /** The chain hash of the last row of that append, to recognise the tail it belongs to. */
  private byte[] edgeTail;

  private final Timer lockWait;
  private final Timer locked;
  private final DistributionSummary batchSize;
  private final DistributionSummary groupSize;

  /** Before the lock: the records' content, digests and COPY encoding; the twins query. */
  private final Timer prepareTime;

  private final Timer twinsTime;

  /** Under the lock: the state query, the rows hashed and copied, the tree's rows, the commit. */
  private final Timer stateTime;

  private final Timer rowsTime;
  private final Timer treeTime;
  private final Timer commitTime;

  public AuditStoreWriter(
      AgroalDataSource dataSource, LogSnapshots snapshots, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.snapshots = snapshots;
    this.lockWait = registry.timer("slipway.audit.append.lock.wait");
    this.locked = registry.timer("slipway.audit.append.locked");
    this.batchSize = registry.summary("slipway.audit.append.records");
    this.groupSize = registry.summary("slipway.audit.append.group.records");
    this.prepareTime = registry.timer("slipway.audit.append.phase", "phase", "prepare");
    this.twinsTime = registry.timer("slipway.audit.append.phase", "phase", "twins");
    this.stateTime = registry.timer("slipway.audit.append.phase", "phase", "state");
    this.rowsTime = registry.timer("slipway.audit.append.phase", "phase", "rows");
    this.treeTime = registry.timer("slipway.audit.append.phase", "phase", "tree");
    this.commitTime = registry.timer("slipway.audit.append.phase", "phase", "commit");
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
   * Appends a batch in batch order, possibly in one transaction with other batches of this
   * instance; returns when it is committed.
   *
   * @throws StoreUnavailableException when the database could not take it now; retry the batch
   * @throws RecordsRefusedException when PostgreSQL refused what is in the batch
   */
  public AppendResult append(List<AuditRecord> batch) {
    long from = System.nanoTime();
    List<Prepared> prepared = new ArrayList<>(batch.size());
    for (AuditRecord record : batch) {
      prepared.add(prepare(record));
    }
    long preparedAt = System.nanoTime();
    prepareTime.record(preparedAt - from, TimeUnit.NANOSECONDS);
    Twins twins = twins(prepared);
    twinsTime.record(System.nanoTime() - preparedAt, TimeUnit.NANOSECONDS);
    Request request = new Request(prepared, twins);
    batchSize.record(batch.size());
    waiting.add(request);
    while (!request.done()) {
      if (appending.tryLock()) {
        try {
          List<Request> group = takeGroup();
          try {
            if (!group.isEmpty()) {
              appendGroup(group);
            }
          } finally {
            // Nobody may wait for a batch whose group failed in a way no catch foresaw.
            group.stream()
                .filter(r -> !r.done())
                .forEach(
                    r -> r.fail(new StoreUnavailableException("the append did not end", null)));
          }
        } finally {
          appending.unlock();
          // Whoever waits takes the next group at once: the log is never idle while batches wait.
          synchronized (released) {
            released.notifyAll();
          }
        }
      } else {
        awaitTurn(request);
      }
    }
    return request.result();
  }

  /** Waits until {@code request} is done or the caller appending a group is finished. */
  private void awaitTurn(Request request) {
    synchronized (released) {
      if (request.done() || !appending.isLocked()) {
        return;
      }
      try {
        released.wait(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreUnavailableException("interrupted while a batch waited to be appended", e);
      }
    }
  }

  /** The batches waiting, oldest first, up to {@link #MAX_GROUP_ROWS} rows (at least one batch). */
  private List<Request> takeGroup() {
    List<Request> group = new ArrayList<>();
    int rows = 0;
    for (Request next = waiting.peek(); next != null; next = waiting.peek()) {
      if (!group.isEmpty() && rows + next.batch().size() > MAX_GROUP_ROWS) {
        break;
      }
      group.add(waiting.poll());
      rows += next.batch().size();
    }
    return group;
  }

  /**
   * Appends {@code group} in one transaction; when PostgreSQL refuses it for what is in it, each
   * batch alone, so the refusal reaches only the batch at fault.
   */
  private void appendGroup(List<Request> group) {
    try {
      List<AppendResult> results = appendTogether(group);
      for (int i = 0; i < group.size(); i++) {
        group.get(i).succeed(results.get(i));
      }
    } catch (RecordsRefusedException refused) {
      if (group.size() == 1) {
        group.get(0).fail(refused);
        return;
      }
      for (Request alone : group) {
        appendGroup(List.of(alone));
      }
    } catch (RuntimeException e) {
      group.forEach(r -> r.fail(e));
    }
  }

  private List<AppendResult> appendTogether(List<Request> group) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Appended appended = appendLocked(c, group);
        long committing = System.nanoTime();
        c.commit();
        commitTime.record(System.nanoTime() - committing, TimeUnit.NANOSECONDS);
        locked.record(System.nanoTime() - appended.lockedAt(), TimeUnit.NANOSECONDS);
        groupSize.record(group.stream().mapToInt(r -> r.batch().size()).sum());
        remember(appended.edge(), appended.lastHash());
        snapshots.committed(appended.lastSeq());
        return appended.results();
      } catch (SQLException | RuntimeException e) {
        forgetEdge();
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
            case EVENT -> new BinaryCopy.Utf8(body.bytes(), body.eventFrom(), body.eventTo());
            case HEADERS ->
                body.headersFrom() < 0
                    ? null
                    : new BinaryCopy.Utf8(body.bytes(), body.headersFrom(), body.headersTo());
            default -> column.of(record);
          };
    }
    int[] starts = new int[values.length];
    byte[] encoded = BinaryCopy.encode(BODY_KINDS, values, starts);
    int eventFrom = starts[EVENT_FIELD];
    return new Prepared(
        record,
        encoded,
        eventFrom,
        eventFrom + body.eventTo() - body.eventFrom(),
        AuditContent.bodyDigest(body));
  }

  /** Stored rows with the batch's event ids before the lock, and the log's size then. */
  private record Twins(long tail, Map<String, List<Twin>> byIdentity) {}

  private Twins twins(List<Prepared> batch) {
    Set<String> ids = new LinkedHashSet<>();
    for (Prepared p : batch) {
      if (p.record().eventId() != null) {
        ids.add(p.record().eventId());
      }
    }
    long tail = 0;
    Map<String, List<Twin>> byIdentity = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement sql = c.prepareStatement(TWINS)) {
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
    } catch (SQLException e) {
      throw failure(e);
    }
    return new Twins(tail, byIdentity);
  }

  private static void addTwin(Map<String, List<Twin>> byIdentity, ResultSet rows)
      throws SQLException {
    List<Twin> same =
        byIdentity.computeIfAbsent(
            identity(rows.getString("topic"), rows.getString("source"), rows.getString("event_id")),
            k -> new ArrayList<>());
    long seq = rows.getLong("seq");
    if (same.stream().noneMatch(t -> t.seq() == seq)) {
      String event = CanonicalJson.write(CanonicalJson.parse(rows.getString("event")));
      same.add(new Twin(seq, event.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /**
   * A record ready before it has a place in the log: its body's columns encoded for COPY (the
   * canonical event among them, at {@code [eventFrom, eventTo)}, to compare with twins) and the
   * digest of its content's body.
   */
  private record Prepared(
      AuditRecord record,
      byte[] encodedBody,
      int eventFrom,
      int eventTo,
      MessageDigest bodyDigest) {

    boolean sameEvent(Twin twin) {
      return Arrays.equals(encodedBody, eventFrom, eventTo, twin.bytes(), twin.from(), twin.to());
    }

    Twin asTwin(long seq) {
      return new Twin(seq, encodedBody, eventFrom, eventTo);
    }
  }

  /** An earlier row with the same identity, and its canonical event: {@code bytes[from, to)}. */
  private record Twin(long seq, byte[] bytes, int from, int to) {
    Twin(long seq, byte[] event) {
      this(seq, event, 0, event.length);
    }
  }

  /** A batch waiting to be appended, and then its outcome. */
  private static final class Request {
    private final List<Prepared> batch;
    private final Twins twins;
    private volatile boolean done;
    private volatile AppendResult result;
    private volatile RuntimeException failure;

    Request(List<Prepared> batch, Twins twins) {
      this.batch = batch;
      this.twins = twins;
    }

    List<Prepared> batch() {
      return batch;
    }

    Twins twins() {
      return twins;
    }

    boolean done() {
      return done;
    }

    void succeed(AppendResult outcome) {
      result = outcome;
      done = true;
    }

    void fail(RuntimeException e) {
      failure = e;
      done = true;
    }

    AppendResult result() {
      if (failure != null) {
        throw failure;
      }
      return result;
    }
  }

  /**
   * What an append wrote: each batch's result, the log's last seq, the tree's right edge and the
   * chain's last hash after it.
   */
  private record Appended(
      List<AppendResult> results,
      long lastSeq,
      TreeAppender edge,
      byte[] lastHash,
      long lockedAt) {}

  private Appended appendLocked(Connection c, List<Request> group) throws SQLException {
    long tail = 0;
    byte[] prev = AuditContent.GENESIS;
    Map<PartitionKey, Long> marks = new HashMap<>();
    Map<String, List<Twin>> twins = new HashMap<>();
    Set<PartitionKey> partitions = new LinkedHashSet<>();
    Set<String> ids = new LinkedHashSet<>();
    long since = Long.MAX_VALUE;
    for (Request request : group) {
      since = Math.min(since, request.twins().tail());
      request
          .twins()
          .byIdentity()
          .forEach(
              (identity, rows) ->
                  rows.forEach(
                      twin -> {
                        List<Twin> same = twins.computeIfAbsent(identity, k -> new ArrayList<>());
                        if (same.stream().noneMatch(t -> t.seq() == twin.seq())) {
                          same.add(twin);
                        }
                      }));
      for (Prepared p : request.batch()) {
        AuditRecord r = p.record();
        if (r.topicId() != null && r.partition() != null) {
          partitions.add(new PartitionKey(r.topicId(), r.partition()));
        }
        if (r.eventId() != null) {
          ids.add(r.eventId());
        }
      }
    }
    List<Long> recentTwins = new ArrayList<>();
    long waitFrom = System.nanoTime();
    long lockedAt;
    // The lock and then the state, in one round trip: the state statement's snapshot is taken
    // when it starts, once the lock is held (read committed: a snapshot per statement).
    try (PreparedStatement sql = c.prepareStatement(LOCK_THEN_STATE)) {
      bindPartitions(c, sql, partitions);
      sql.setLong(3, since);
      sql.setLong(4, since + RECENT_ROWS);
      sql.execute();
      if (!sql.getMoreResults()) {
        throw new SQLException("the state query after the append lock returned no rows");
      }
      lockedAt = System.nanoTime();
      lockWait.record(lockedAt - waitFrom, TimeUnit.NANOSECONDS);
      try (ResultSet rows = sql.getResultSet()) {
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
            default -> {
              String id = rows.getString("event_id");
              if (id != null && ids.contains(id)) {
                recentTwins.add(rows.getLong("seq"));
              }
            }
          }
        }
      }
    }
    if (tail > since + RECENT_ROWS) {
      try (PreparedStatement sql = c.prepareStatement(LATE_TWINS)) {
        sql.setLong(1, since + RECENT_ROWS);
        sql.setArray(2, c.createArrayOf("text", ids.toArray()));
        try (ResultSet rows = sql.executeQuery()) {
          while (rows.next()) {
            addTwin(twins, rows);
          }
        }
      }
    }
    if (!recentTwins.isEmpty()) {
      try (PreparedStatement sql = c.prepareStatement(TWIN_EVENTS)) {
        sql.setArray(1, c.createArrayOf("int8", recentTwins.toArray()));
        try (ResultSet rows = sql.executeQuery()) {
          while (rows.next()) {
            addTwin(twins, rows);
          }
        }
      }
    }

    TreeAppender tree = edge(c, tail, prev);
    long rowsFrom = System.nanoTime();
    stateTime.record(rowsFrom - lockedAt, TimeUnit.NANOSECONDS);
    OffsetDateTime recordedAt = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    TreeRows treeRows = new TreeRows();
    List<AppendResult> results = new ArrayList<>(group.size());
    long seq = tail;
    CopyIn in = null;
    BinaryCopy copy = new BinaryCopy(COPY_CHUNK + 16 * 1024);
    try {
      for (Request request : group) {
        long before = seq;
        int skipped = 0;
        int conflicts = 0;
        for (Prepared p : request.batch()) {
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
            if (same.stream().anyMatch(p::sameEvent)) {
              skipped++;
              continue;
            }
            if (!same.isEmpty()) {
              conflictOf = same.stream().mapToLong(Twin::seq).min().orElseThrow();
              conflicts++;
            }
            same.add(p.asTwin(seq + 1));
          }
          seq++;
          byte[] leaf =
              AuditContent.leafHash(
                  p.bodyDigest(), AuditContent.position(seq, recordedAt, conflictOf));
          byte[] hash = AuditContent.chainHash(prev, leaf);
          tree.append(leaf, treeRows);
          writeRow(copy, seq, recordedAt, conflictOf, p, leaf, prev, hash);
          prev = hash;
          if (copy.length() >= COPY_CHUNK) {
            // PostgreSQL takes these rows in while the next ones are hashed.
            in = in != null ? in : c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
            copy.sendTo(in);
          }
        }
        results.add(new AppendResult((int) (seq - before), skipped, conflicts, seq));
      }
      if (seq > tail) {
        copy.finish();
        in = in != null ? in : c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
        copy.sendTo(in);
        in.endCopy();
        long treeFrom = System.nanoTime();
        rowsTime.record(treeFrom - rowsFrom, TimeUnit.NANOSECONDS);
        treeRows.insert(c);
        treeTime.record(System.nanoTime() - treeFrom, TimeUnit.NANOSECONDS);
      }
    } finally {
      if (in != null && in.isActive()) {
        in.cancelCopy();
      }
    }
    return new Appended(results, seq, tree, prev, lockedAt);
  }

  /** The tree nodes and full tiles an append completed, inserted together. */
  private static final class TreeRows implements TreeAppender.Sink {
    private final List<Object> nodeLevels = new ArrayList<>();
    private final List<Object> nodeIndexes = new ArrayList<>();
    private final List<byte[]> nodeHashes = new ArrayList<>();
    private final List<Object> tileLevels = new ArrayList<>();
    private final List<Object> tileIndexes = new ArrayList<>();
    private final List<byte[]> tileHashes = new ArrayList<>();

    @Override
    public void node(int level, long index, byte[] hash) {
      nodeLevels.add((short) level);
      nodeIndexes.add(index);
      nodeHashes.add(hash);
    }

    @Override
    public void tile(int level, long index, byte[] hashes) {
      tileLevels.add((short) level);
      tileIndexes.add(index);
      tileHashes.add(hashes);
    }

    void insert(Connection c) throws SQLException {
      if (nodeLevels.isEmpty() && tileLevels.isEmpty()) {
        return;
      }
      try (PreparedStatement insert = c.prepareStatement(INSERT_TREE)) {
        insert.setArray(1, c.createArrayOf("int2", nodeLevels.toArray()));
        insert.setArray(2, c.createArrayOf("int8", nodeIndexes.toArray()));
        insert.setArray(3, c.createArrayOf("bytea", nodeHashes.toArray(new byte[0][])));
        insert.setArray(4, c.createArrayOf("int2", tileLevels.toArray()));
        insert.setArray(5, c.createArrayOf("int8", tileIndexes.toArray()));
        insert.setArray(6, c.createArrayOf("bytea", tileHashes.toArray(new byte[0][])));
        insert.executeUpdate();
      }
    }
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
   * The tree's right edge at the tail: the one this instance left if the tail is still the row it
   * wrote last, else read from storage (another writer appended meanwhile).
   */
  private synchronized TreeAppender edge(Connection c, long size, byte[] tailHash) {
    if (edge != null && edge.size() == size && Arrays.equals(edgeTail, tailHash)) {
      return edge.copy();
    }
    return TreeAppender.of(new MerkleTree(new TreeTiles(c), TreeTiles.HEIGHT, size, null));
  }

  private synchronized void remember(TreeAppender tree, byte[] tailHash) {
    edge = tree;
    edgeTail = tailHash;
  }

  private synchronized void forgetEdge() {
    edge = null;
    edgeTail = null;
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
    sql.setArray(1, c.createArrayOf("uuid", topicIds));
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

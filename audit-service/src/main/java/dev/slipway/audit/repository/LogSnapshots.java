package dev.slipway.audit.repository;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.merkle.MerkleTree;
import dev.slipway.audit.merkle.TileCache;
import dev.slipway.audit.merkle.TileKey;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-only views of the audit log over JDBC. A snapshot: the log's size, its rows and the Merkle
 * tree's stored hashes all from one repeatable-read transaction, so a verification or an export
 * sees one state of the log however many rows are appended meanwhile; verification reads every hash
 * afresh. A tree of a committed size (for proofs) needs no snapshot: appends commit in seq order,
 * so every row up to a committed seq is committed, and stored hashes never change once written; its
 * tiles are read outside any transaction and kept in memory.
 */
@ApplicationScoped
public class LogSnapshots {

  /** One view of the log. */
  public interface Snapshot {
    /** Rows in the log: its last seq. */
    long size();

    /** The Merkle tree of the whole log. */
    MerkleTree tree();

    /** The Merkle tree of the log's first {@code size} rows. */
    MerkleTree tree(long size);

    /**
     * The stored full tiles among {@code tiles} and the stored nodes among {@code nodes} (each
     * {@code {level, index}}), keyed as asked; what is not stored is absent.
     */
    StoredTree stored(Collection<TileKey> tiles, Collection<TileKey> nodes) throws SQLException;

    /** The chain hash of the row at {@code seq}, hex; null when there is no such row. */
    String chainHash(long seq) throws SQLException;

    /**
     * Streams the rows matching {@code where} (with {@code params}) in seq order to {@code each},
     * {@code fetchSize} at a time, until it returns false or the rows end.
     */
    void rows(String where, List<Object> params, int fetchSize, RowHandler each)
        throws SQLException;

    /**
     * Streams the hashes of rows {@code from..to} in seq order to {@code each}, {@code fetchSize}
     * at a time, until it returns false or the rows end: four columns a row, none of the content.
     */
    void hashes(long from, long to, int fetchSize, HashHandler each) throws SQLException;
  }

  /** Takes the hashes of one row; false stops the stream. */
  @FunctionalInterface
  public interface HashHandler {
    boolean take(long seq, String eventId, byte[] leafHash, byte[] prevHash, byte[] hash)
        throws Exception;
  }

  /**
   * Stored parts of the tree, as a verification compares them with the rows.
   *
   * @param tiles full tiles by key
   * @param nodes nodes at stored levels by key (width 1: the node's level and index)
   */
  public record StoredTree(Map<TileKey, byte[]> tiles, Map<TileKey, byte[]> nodes) {}

  /** Takes one row; false stops the stream. */
  @FunctionalInterface
  public interface RowHandler {
    boolean take(AuditEvent row) throws Exception;
  }

  /** Work on a snapshot. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Snapshot snapshot) throws Exception;
  }

  private final AgroalDataSource dataSource;
  private final TileCache tiles;
  private final TreeTiles pooled;

  /** Tiles the proofs read from the database (the cache did not hold them), and those reads. */
  private final Counter proofTilesRead;

  private final Timer proofTileReads;

  /** The largest log size this instance has seen committed: never more than the log's size. */
  private final AtomicLong committed = new AtomicLong();

  public LogSnapshots(AgroalDataSource dataSource, AuditConfig config, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.tiles = new TileCache(config.proofs().cachedTiles());
    this.pooled = new TreeTiles(dataSource);
    this.proofTilesRead = registry.counter("slipway.audit.proofs.tiles.read");
    this.proofTileReads = registry.timer("slipway.audit.proofs.tile.reads");
  }

  /** The log's size now: its last committed seq. */
  public long size() {
    try (Connection c = dataSource.getConnection()) {
      return committed(size(c));
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot read the audit log", e);
    }
  }

  /**
   * A size the log is known to have reached without asking the database: the largest this instance
   * appended or read.
   */
  public long knownSize() {
    return committed.get();
  }

  /** Notes that the log has at least {@code size} committed rows; returns {@code size}. */
  long committed(long size) {
    committed.accumulateAndGet(size, Math::max);
    return size;
  }

  /**
   * The Merkle tree of the log's first {@code size} rows, which must be committed ({@link #size} or
   * {@link #knownSize} at least {@code size}). Its tiles come from the cache or, when missing, all
   * of one computation in one query on a pooled connection.
   */
  public MerkleTree tree(long size) {
    return new MerkleTree(this::readForProof, TreeTiles.HEIGHT, size, tiles);
  }

  private Map<TileKey, byte[]> readForProof(Collection<TileKey> keys) {
    proofTilesRead.increment(keys.size());
    return proofTileReads.record(() -> pooled.read(keys));
  }

  /**
   * Runs {@code work} on a snapshot of every row committed when it starts; its tree reads every
   * hash afresh. The connection is given back when {@code work} ends, however it ends (an aborted
   * download included).
   */
  public <T> T read(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        long size = committed(size(c));
        MerkleTree tree = new MerkleTree(new TreeTiles(c), TreeTiles.HEIGHT, size, null);
        return work.apply(new JdbcSnapshot(c, size, tree));
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot read the audit log", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RowHandlingException(e);
    }
  }

  private record JdbcSnapshot(Connection c, long size, MerkleTree tree) implements Snapshot {

    @Override
    public MerkleTree tree(long treeSize) {
      return new MerkleTree(new TreeTiles(c), TreeTiles.HEIGHT, treeSize, null);
    }

    @Override
    public StoredTree stored(Collection<TileKey> tiles, Collection<TileKey> nodes)
        throws SQLException {
      return new StoredTree(TreeTiles.fullTiles(c, tiles), TreeTiles.nodes(c, nodes));
    }

    @Override
    public String chainHash(long seq) throws SQLException {
      try (PreparedStatement sql =
          c.prepareStatement("SELECT encode(hash, 'hex') FROM audit_events WHERE seq = ?")) {
        sql.setLong(1, seq);
        try (ResultSet rows = sql.executeQuery()) {
          return rows.next() ? rows.getString(1) : null;
        }
      }
    }

    /**
     * Rows {@code from..to} in chunks of {@code fetchSize}, each from the row after the last one
     * read. Asked for them all at once, PostgreSQL plans a scan of the whole table (in parallel)
     * whenever the range is a large share of it, several times a checkpoint while the consumers
     * write; a chunk in seq order is read through the primary key, and the rows, appended in seq
     * order, lie in order in the table.
     */
    @Override
    public void hashes(long from, long to, int fetchSize, HashHandler each) throws SQLException {
      try (PreparedStatement sql =
          c.prepareStatement(
              "SELECT seq, event_id, leaf_hash, prev_hash, hash FROM audit_events"
                  + " WHERE seq BETWEEN ? AND ? ORDER BY seq LIMIT ?")) {
        sql.setFetchSize(fetchSize);
        long next = from;
        while (next <= to) {
          sql.setLong(1, next);
          sql.setLong(2, to);
          sql.setInt(3, fetchSize);
          int read = 0;
          try (ResultSet rows = sql.executeQuery()) {
            while (rows.next()) {
              read++;
              next = rows.getLong(1) + 1;
              if (!each.take(
                  rows.getLong(1),
                  rows.getString(2),
                  rows.getBytes(3),
                  rows.getBytes(4),
                  rows.getBytes(5))) {
                return;
              }
            }
          } catch (SQLException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new RowHandlingException(e);
          }
          if (read < fetchSize) {
            return;
          }
        }
      }
    }

    /** The rows {@code where} selects, in chunks in seq order as {@link #hashes} reads them. */
    @Override
    public void rows(String where, List<Object> params, int fetchSize, RowHandler each)
        throws SQLException {
      try (PreparedStatement sql =
          c.prepareStatement(
              AuditRows.SELECT + " WHERE (" + where + ") AND seq > ? ORDER BY seq LIMIT ?")) {
        sql.setFetchSize(fetchSize);
        for (int i = 0; i < params.size(); i++) {
          sql.setObject(i + 1, params.get(i));
        }
        long after = 0;
        while (true) {
          sql.setLong(params.size() + 1, after);
          sql.setInt(params.size() + 2, fetchSize);
          int read = 0;
          try (ResultSet rows = sql.executeQuery()) {
            while (rows.next()) {
              read++;
              AuditEvent row = AuditRows.event(rows);
              after = row.seq();
              if (!each.take(row)) {
                return;
              }
            }
          } catch (SQLException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new RowHandlingException(e);
          }
          if (read < fetchSize) {
            return;
          }
        }
      }
    }
  }

  /** A row handler failed; the cause says why (e.g. the client went away). */
  public static class RowHandlingException extends RuntimeException {
    RowHandlingException(Exception cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static long size(Connection c) throws SQLException {
    try (Statement sql = c.createStatement();
        ResultSet rows = sql.executeQuery("SELECT coalesce(max(seq), 0) FROM audit_events")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}

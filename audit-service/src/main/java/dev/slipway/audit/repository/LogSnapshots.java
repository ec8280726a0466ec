package dev.slipway.audit.repository;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.service.MerkleTree;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Consistent read-only views of the audit log over JDBC: the log's size, its rows and the Merkle
 * tree's stored hashes all come from one repeatable-read transaction, so a proof, a verification or
 * an export sees one state of the log however many rows are appended meanwhile. Full tiles read for
 * proofs are kept in memory (they never change); verification reads everything afresh.
 */
@ApplicationScoped
public class LogSnapshots {

  /** One view of the log. */
  public interface Snapshot {
    /** Rows in the log: its last seq. */
    long size();

    /** The Merkle tree of the whole log. */
    MerkleTree tree();

    /** The chain hash of the row at {@code seq}, hex; null when there is no such row. */
    String chainHash(long seq) throws SQLException;

    /**
     * Streams the rows matching {@code where} (with {@code params}) in seq order to {@code each},
     * {@code fetchSize} at a time, until it returns false or the rows end.
     */
    void rows(String where, List<Object> params, int fetchSize, RowHandler each)
        throws SQLException;
  }

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
  private final MerkleTree.TileCache tiles;

  public LogSnapshots(AgroalDataSource dataSource, AuditConfig config) {
    this.dataSource = dataSource;
    this.tiles = new MerkleTree.TileCache(config.proofs().cachedTiles());
  }

  /**
   * Runs {@code work} on a snapshot of every row committed when it starts; {@code cachedTiles} lets
   * the tree use tiles read earlier. The connection is given back when {@code work} ends, however
   * it ends (an aborted download included).
   */
  public <T> T read(boolean cachedTiles, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        long size = size(c);
        MerkleTree tree =
            new MerkleTree(
                new TreeNodes(c), AuditStoreWriter.TILE_HEIGHT, size, cachedTiles ? tiles : null);
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
    public String chainHash(long seq) throws SQLException {
      try (PreparedStatement sql =
          c.prepareStatement("SELECT encode(hash, 'hex') FROM audit_events WHERE seq = ?")) {
        sql.setLong(1, seq);
        try (ResultSet rows = sql.executeQuery()) {
          return rows.next() ? rows.getString(1) : null;
        }
      }
    }

    @Override
    public void rows(String where, List<Object> params, int fetchSize, RowHandler each)
        throws SQLException {
      try (PreparedStatement sql =
          c.prepareStatement(AuditRows.SELECT + " WHERE " + where + " ORDER BY seq")) {
        sql.setFetchSize(fetchSize);
        for (int i = 0; i < params.size(); i++) {
          sql.setObject(i + 1, params.get(i));
        }
        try (ResultSet rows = sql.executeQuery()) {
          while (rows.next()) {
            if (!each.take(AuditRows.event(rows))) {
              return;
            }
          }
        } catch (SQLException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new RowHandlingException(e);
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

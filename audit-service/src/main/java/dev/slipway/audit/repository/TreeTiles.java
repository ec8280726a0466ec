package dev.slipway.audit.repository;

import dev.slipway.audit.merkle.MerkleHash;
import dev.slipway.audit.merkle.TileKey;
import dev.slipway.audit.merkle.TileSource;
import io.agroal.api.AgroalDataSource;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Merkle tree's stored hashes: a full tile is one row of {@code audit_tree_tiles}, all the full
 * tiles a computation needs in one query; the right edge (a partial tile), and a full tile written
 * before that table existed, is read hash by hash: level 0 from {@code audit_events.leaf_hash}
 * (leaf {@code i} is the row {@code seq = i + 1}), the other stored levels from {@code
 * audit_tree_nodes}. Reads on one connection (a snapshot's) or, for hashes of a committed prefix of
 * the log, which never change, on a pooled connection per read.
 */
final class TreeTiles implements TileSource {

  /** Levels per tile: full tiles hold 256 hashes of levels 0, 8, 16, ... */
  static final int HEIGHT = 8;

  private static final int WIDTH = 1 << HEIGHT;

  /**
   * The full tiles of some levels and indexes, by the primary key's index with array keys: every
   * combination asked for is found in one scan (a few more may come back, and are left out).
   */
  private static final String FULL =
      "SELECT level, idx, hashes FROM audit_tree_tiles"
          + " WHERE level = ANY(?::smallint[]) AND idx = ANY(?::bigint[])";

  private static final String NODES_BY_KEY =
      """
      SELECT n.level, n.idx, n.hash
        FROM unnest(?::smallint[], ?::bigint[]) AS k(level, idx)
        JOIN audit_tree_nodes n ON n.level = k.level AND n.idx = k.idx
      """;
  private static final String LEAVES =
      "SELECT leaf_hash FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq";
  private static final String NODES =
      "SELECT hash FROM audit_tree_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx";

  private final Connection connection;
  private final AgroalDataSource dataSource;

  /** Reads on {@code connection} (a snapshot's). */
  TreeTiles(Connection connection) {
    this.connection = connection;
    this.dataSource = null;
  }

  /** Reads on a pooled connection per read: only for hashes of a committed prefix of the log. */
  TreeTiles(AgroalDataSource dataSource) {
    this.connection = null;
    this.dataSource = dataSource;
  }

  @Override
  public Map<TileKey, byte[]> read(Collection<TileKey> tiles) {
    if (connection != null) {
      return read(connection, tiles);
    }
    try (Connection c = dataSource.getConnection()) {
      return read(c, tiles);
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot read the Merkle tree", e);
    }
  }

  private static Map<TileKey, byte[]> read(Connection c, Collection<TileKey> tiles) {
    try {
      Map<TileKey, byte[]> found = new HashMap<>();
      List<TileKey> full = tiles.stream().filter(t -> t.width() == WIDTH).toList();
      if (!full.isEmpty()) {
        readFull(c, full, found);
      }
      for (TileKey tile : tiles) {
        if (!found.containsKey(tile)) {
          found.put(tile, readHashes(c, tile));
        }
      }
      return found;
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot read the Merkle tree", e);
    }
  }

  /** The stored full tiles among {@code tiles}. */
  static Map<TileKey, byte[]> fullTiles(Connection c, Collection<TileKey> tiles)
      throws SQLException {
    Map<TileKey, byte[]> found = new HashMap<>();
    if (!tiles.isEmpty()) {
      readFull(c, List.copyOf(tiles), found);
    }
    return found;
  }

  /** The stored nodes among {@code nodes}, each keyed by its level and index (width 1). */
  static Map<TileKey, byte[]> nodes(Connection c, Collection<TileKey> nodes) throws SQLException {
    Map<TileKey, byte[]> found = new HashMap<>();
    if (nodes.isEmpty()) {
      return found;
    }
    Object[] levels = nodes.stream().map(n -> (short) n.level()).toArray();
    Object[] indexes = nodes.stream().map(TileKey::index).toArray();
    try (PreparedStatement sql = c.prepareStatement(NODES_BY_KEY)) {
      sql.setArray(1, c.createArrayOf("int2", levels));
      sql.setArray(2, c.createArrayOf("int8", indexes));
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          found.put(new TileKey(rows.getInt(1), rows.getLong(2), 1), rows.getBytes(3));
        }
      }
    }
    return found;
  }

  private static void readFull(Connection c, List<TileKey> full, Map<TileKey, byte[]> found)
      throws SQLException {
    Set<TileKey> asked = new HashSet<>(full);
    Object[] levels = full.stream().map(t -> (short) t.level()).distinct().toArray();
    Object[] indexes = full.stream().map(TileKey::index).distinct().toArray();
    try (PreparedStatement sql = c.prepareStatement(FULL)) {
      sql.setArray(1, c.createArrayOf("int2", levels));
      sql.setArray(2, c.createArrayOf("int8", indexes));
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          TileKey tile = new TileKey(rows.getInt(1), rows.getLong(2), WIDTH);
          if (asked.contains(tile)) {
            found.put(tile, rows.getBytes(3));
          }
        }
      }
    }
  }

  /** The hashes of {@code tile} one by one, as far as they are stored. */
  private static byte[] readHashes(Connection c, TileKey tile) throws SQLException {
    long from = tile.first(HEIGHT);
    long to = from + tile.width();
    ByteArrayOutputStream out = new ByteArrayOutputStream(tile.width() * MerkleHash.SIZE);
    try (PreparedStatement sql = c.prepareStatement(tile.level() == 0 ? LEAVES : NODES)) {
      int p = 1;
      if (tile.level() > 0) {
        sql.setShort(p++, (short) tile.level());
      }
      sql.setLong(p++, from);
      sql.setLong(p, to);
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          out.writeBytes(rows.getBytes(1));
        }
      }
    }
    return out.toByteArray();
  }
}

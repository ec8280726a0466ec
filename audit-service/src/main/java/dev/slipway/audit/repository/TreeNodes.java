package dev.slipway.audit.repository;

import dev.slipway.audit.service.MerkleTree;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored hashes of the Merkle tree, read on one JDBC connection: level 0 is the leaf hash of
 * the row at {@code seq = index + 1}, the other stored levels are rows of {@code audit_tree_nodes}.
 */
final class TreeNodes implements MerkleTree.NodeSource {

  private static final String LEAVES =
      "SELECT leaf_hash FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq";
  private static final String NODES =
      "SELECT hash FROM audit_tree_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx";

  private final Connection connection;

  TreeNodes(Connection connection) {
    this.connection = connection;
  }

  @Override
  public List<byte[]> read(int level, long from, long to) {
    try (PreparedStatement sql = connection.prepareStatement(level == 0 ? LEAVES : NODES)) {
      int p = 1;
      if (level > 0) {
        sql.setShort(p++, (short) level);
      }
      sql.setLong(p++, from);
      sql.setLong(p, to);
      List<byte[]> hashes = new ArrayList<>((int) (to - from));
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          hashes.add(rows.getBytes(1));
        }
      }
      return hashes;
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot read the Merkle tree", e);
    }
  }
}

package dev.slipway.audit.repository;

import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.merkle.CompactRange;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The signed checkpoints kept in the database, append-only like the log itself. */
@ApplicationScoped
public class CheckpointRepository {

  private static final String COLUMNS = "tree_size, root_hash, frontier, note, created_at";

  private final AgroalDataSource dataSource;

  public CheckpointRepository(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The checkpoint of the largest tree. */
  public Optional<Checkpoint> latest() {
    List<Checkpoint> found =
        query("SELECT " + COLUMNS + " FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1");
    return found.stream().findFirst();
  }

  /** Checkpoints of trees of {@code from..to} leaves, smallest first. */
  public List<Checkpoint> between(long from, long to) {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM audit_checkpoints WHERE tree_size BETWEEN ? AND ? ORDER BY tree_size",
        from,
        to);
  }

  /** Stores a checkpoint; false when one of that size is already stored. */
  public boolean insert(Checkpoint checkpoint) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement sql =
            c.prepareStatement(
                "INSERT INTO audit_checkpoints ("
                    + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING")) {
      sql.setLong(1, checkpoint.treeSize());
      sql.setBytes(2, checkpoint.rootHash());
      sql.setBytes(3, checkpoint.frontier().concatenated());
      sql.setString(4, checkpoint.note());
      sql.setObject(5, checkpoint.createdAt());
      return sql.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot store a checkpoint", e);
    }
  }

  private List<Checkpoint> query(String select, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement sql = c.prepareStatement(select)) {
      for (int i = 0; i < params.length; i++) {
        sql.setObject(i + 1, params[i]);
      }
      List<Checkpoint> found = new ArrayList<>();
      try (ResultSet rows = sql.executeQuery()) {
        while (rows.next()) {
          long size = rows.getLong(1);
          found.add(
              new Checkpoint(
                  size,
                  rows.getBytes(2),
                  CompactRange.of(size, rows.getBytes(3)),
                  rows.getString(4),
                  rows.getObject(5, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC)));
        }
      }
      return found;
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot read the checkpoints", e);
    }
  }
}

package dev.slipway.audit.service;

import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.content.AuditContent;
import dev.slipway.audit.merkle.MerkleHash;
import dev.slipway.audit.merkle.MerkleTree;
import dev.slipway.audit.merkle.TileKey;
import dev.slipway.audit.merkle.TreeAppender;
import dev.slipway.audit.repository.CheckpointRepository;
import dev.slipway.audit.repository.LogSnapshots;
import dev.slipway.audit.service.VerificationReport.Mismatch;
import dev.slipway.audit.service.VerificationReport.Reason;
import dev.slipway.audit.service.VerificationReport.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies the log a bounded chunk at a time, from a checkpoint: every row's content against its
 * leaf hash, every link of the chain, that no row is missing, that the rows give the root every
 * signed checkpoint in the range states, and that the stored tree matches the rows. By default it
 * checks what was appended since the last checkpoint, so a call costs what is new, not the whole
 * table; an auditor walks the whole log by following {@code nextFrom}. Blocking: it runs on a
 * worker thread.
 */
@ApplicationScoped
public class LogVerifier {

  /** Completed tiles and nodes compared with the stored ones in one query. */
  private static final int CHECK_BATCH = 256;

  private final LogSnapshots snapshots;
  private final CheckpointRepository checkpoints;
  private final CheckpointSigner signer;
  private final AuditConfig config;

  public LogVerifier(
      LogSnapshots snapshots,
      CheckpointRepository checkpoints,
      CheckpointSigner signer,
      AuditConfig config) {
    this.snapshots = snapshots;
    this.checkpoints = checkpoints;
    this.signer = signer;
    this.config = config;
  }

  /** How deep a verification goes. */
  public enum Depth {
    /** Every row's content is hashed again and compared with its stored leaf hash. */
    CONTENT,
    /**
     * The stored leaf hashes are taken as they are: the chain, the tree, its tiles and the signed
     * checkpoints are checked, reading four columns a row instead of every one.
     */
    HASHES
  }

  /**
   * Verifies rows {@code fromSeq..toSeq} down to their content: by default from the row after the
   * latest checkpoint to the end, at most {@code slipway.audit.verify.max-rows} rows per call.
   */
  public VerificationReport verify(Long fromSeq, Long toSeq) {
    return verify(fromSeq, toSeq, Depth.CONTENT, config.verify().maxRows());
  }

  /**
   * Verifies rows {@code fromSeq..toSeq} (by default from the row after the latest checkpoint to
   * the end) to {@code depth}, at most {@code maxRows} rows; the report names where the next chunk
   * starts.
   */
  public VerificationReport verify(Long fromSeq, Long toSeq, Depth depth, long maxRows) {
    Optional<Checkpoint> latest = checkpoints.latest();
    return snapshots.read(
        snapshot -> {
          long size = snapshot.size();
          long from =
              fromSeq != null
                  ? fromSeq
                  : latest.map(c -> Math.min(c.treeSize(), size) + 1).orElse(1L);
          if (latest.isPresent() && latest.get().treeSize() > size) {
            return failed(
                from,
                size,
                0,
                null,
                new Mismatch(
                    size + 1,
                    null,
                    Reason.MISSING,
                    "the log ends at row "
                        + size
                        + " but a checkpoint of "
                        + latest.get().treeSize()
                        + " rows was signed: its tail was cut off"));
          }
          if ((toSeq != null && toSeq > size) || (fromSeq != null && fromSeq > size)) {
            long asked = toSeq != null ? Math.max(toSeq, from) : from;
            return failed(
                from,
                asked,
                0,
                null,
                new Mismatch(
                    size + 1,
                    null,
                    Reason.MISSING,
                    "rows up to " + asked + " were asked for; the log ends at row " + size));
          }
          long to = toSeq != null ? toSeq : size;
          Long nextFrom = null;
          if (to - from + 1 > maxRows) {
            to = from + maxRows - 1;
            nextFrom = to + 1;
          }
          return new Run(snapshot, from, to, nextFrom, depth).verify();
        });
  }

  /** One verification of rows {@code from..to} in one snapshot. */
  private final class Run {
    private final LogSnapshots.Snapshot snapshot;
    private final long from;
    private final long to;
    private final Long nextFrom;
    private final Depth depth;
    private final Deque<Checkpoint> anchors;
    private final List<Long> compared = new ArrayList<>();
    private TreeAppender tree;
    private final Map<TileKey, byte[]> tilesToCheck = new LinkedHashMap<>();
    private final Map<TileKey, byte[]> nodesToCheck = new LinkedHashMap<>();
    private final TreeAppender.Sink toCheck =
        new TreeAppender.Sink() {
          @Override
          public void node(int level, long index, byte[] hash) {
            nodesToCheck.put(new TileKey(level, index, 1), hash);
          }

          @Override
          public void tile(int level, long index, byte[] hashes) {
            tilesToCheck.put(new TileKey(level, index, hashes.length / MerkleHash.SIZE), hashes);
          }
        };
    private byte[] prev;
    private long checked;
    private Mismatch mismatch;

    Run(LogSnapshots.Snapshot snapshot, long from, long to, Long nextFrom, Depth depth) {
      this.snapshot = snapshot;
      this.from = from;
      this.to = to;
      this.nextFrom = nextFrom;
      this.depth = depth;
      this.anchors = new ArrayDeque<>(checkpoints.between(from - 1, to));
    }

    VerificationReport verify() throws Exception {
      prev = AuditContent.GENESIS;
      if (from > 1) {
        String before = snapshot.chainHash(from - 1);
        if (before == null) {
          return failed(from, to, 0, null, new Mismatch(from - 1, null, Reason.MISSING, "no row"));
        }
        prev = AuditContent.fromHex(before);
      }
      // The stored tree before the range; a checkpoint at its end (or the rows after) checks it.
      // When it cannot be read (rows or nodes removed) the rows are checked first, to name them.
      String unreadable = null;
      try {
        tree = TreeAppender.of(snapshot.tree(from - 1));
      } catch (MerkleTree.MissingHashesException e) {
        unreadable = e.getMessage();
      }
      if (tree != null && !checkAnchor()) {
        return report();
      }
      long[] expected = {from};
      LogSnapshots.HashHandler each =
          (seq, eventId, leaf, prevHash, hash) -> {
            if (seq != expected[0]) {
              mismatch =
                  new Mismatch(expected[0], null, Reason.MISSING, "no row; the next row is " + seq);
              return false;
            }
            checked++;
            expected[0]++;
            return checkLinks(seq, eventId, leaf, prevHash, hash)
                && checkAnchor()
                && (tilesToCheck.size() + nodesToCheck.size() < CHECK_BATCH || checkStoredTree());
          };
      if (depth == Depth.HASHES) {
        snapshot.hashes(from, to, config.verify().fetchSize() * 10, each);
      } else {
        snapshot.rows(
            "seq BETWEEN ? AND ?",
            List.of(from, to),
            config.verify().fetchSize(),
            row -> {
              byte[] leaf = AuditContent.leafHash(row);
              String id = row.record().eventId();
              if (!Arrays.equals(leaf, AuditContent.fromHex(row.leafHash()))) {
                if (row.seq() != expected[0]) {
                  return each.take(row.seq(), id, leaf, null, null);
                }
                checked++;
                mismatch =
                    new Mismatch(
                        row.seq(),
                        id,
                        Reason.CONTENT,
                        "stored leaf hash is "
                            + row.leafHash()
                            + ", the row's content gives "
                            + AuditContent.hex(leaf));
                return false;
              }
              return each.take(
                  row.seq(),
                  id,
                  leaf,
                  AuditContent.fromHex(row.prevHash()),
                  AuditContent.fromHex(row.hash()));
            });
      }
      if (mismatch == null && tree != null) {
        checkStoredTree();
      }
      if (mismatch == null && expected[0] <= to) {
        mismatch = new Mismatch(expected[0], null, Reason.MISSING, "no row");
      }
      if (mismatch == null && unreadable != null) {
        mismatch = new Mismatch(from - 1, null, Reason.TREE, unreadable);
      }
      if (mismatch == null) {
        byte[] stored;
        try {
          stored = snapshot.tree().root(to);
        } catch (MerkleTree.MissingHashesException e) {
          mismatch = new Mismatch(to, null, Reason.TREE, e.getMessage());
          return report();
        }
        if (!Arrays.equals(stored, tree.root())) {
          mismatch =
              new Mismatch(
                  to,
                  null,
                  Reason.TREE,
                  "the stored tree's root at "
                      + to
                      + " is "
                      + AuditContent.hex(stored)
                      + ", the rows give "
                      + AuditContent.hex(tree.root()));
        }
      }
      return report();
    }

    /** The row's link to the one before and its chain hash; then its leaf goes into the tree. */
    private boolean checkLinks(long seq, String id, byte[] leaf, byte[] prevHash, byte[] hash) {
      if (!Arrays.equals(prevHash, prev)) {
        mismatch =
            new Mismatch(
                seq,
                id,
                Reason.LINK,
                "prev_hash is "
                    + AuditContent.hex(prevHash)
                    + ", the previous row's hash is "
                    + AuditContent.hex(prev));
        return false;
      }
      byte[] chained = AuditContent.chainHash(prev, leaf);
      if (!Arrays.equals(chained, hash)) {
        mismatch =
            new Mismatch(
                seq,
                id,
                Reason.CONTENT,
                "stored hash is "
                    + AuditContent.hex(hash)
                    + ", the chain gives "
                    + AuditContent.hex(chained));
        return false;
      }
      if (tree != null) {
        tree.append(leaf, toCheck);
      }
      prev = chained;
      return true;
    }

    /**
     * Compares the full tiles and the nodes at stored levels that the rows completed with the
     * stored ones, which proofs are served from; reports the first that differs or is missing.
     */
    private boolean checkStoredTree() throws SQLException {
      if (tilesToCheck.isEmpty() && nodesToCheck.isEmpty()) {
        return true;
      }
      LogSnapshots.StoredTree stored =
          snapshot.stored(tilesToCheck.keySet(), nodesToCheck.keySet());
      Mismatch first = null;
      for (Map.Entry<TileKey, byte[]> tile : tilesToCheck.entrySet()) {
        TileKey key = tile.getKey();
        byte[] found = stored.tiles().get(key);
        if (!Arrays.equals(found, tile.getValue())) {
          long lastLeaf = (key.index() + 1) << (key.level() + snapshot.tree().height());
          first =
              earlier(
                  first,
                  new Mismatch(
                      lastLeaf,
                      null,
                      Reason.TREE,
                      "the stored tile of level "
                          + key.level()
                          + ", index "
                          + key.index()
                          + (found == null ? " is missing" : " is not the one the rows give")));
        }
      }
      for (Map.Entry<TileKey, byte[]> node : nodesToCheck.entrySet()) {
        TileKey key = node.getKey();
        byte[] found = stored.nodes().get(key);
        if (!Arrays.equals(found, node.getValue())) {
          first =
              earlier(
                  first,
                  new Mismatch(
                      (key.index() + 1) << key.level(),
                      null,
                      Reason.TREE,
                      "the stored node of level "
                          + key.level()
                          + ", index "
                          + key.index()
                          + (found == null ? " is missing" : " is not the one the rows give")));
        }
      }
      tilesToCheck.clear();
      nodesToCheck.clear();
      if (first != null) {
        mismatch = first;
        return false;
      }
      return true;
    }

    /** Compares the root with the checkpoint of the current size, if there is one. */
    private boolean checkAnchor() {
      if (tree == null) {
        return true;
      }
      while (!anchors.isEmpty() && anchors.peekFirst().treeSize() < tree.size()) {
        anchors.removeFirst();
      }
      if (anchors.isEmpty() || anchors.peekFirst().treeSize() != tree.size()) {
        return true;
      }
      Checkpoint checkpoint = anchors.removeFirst();
      if (!signer.signed(checkpoint)) {
        mismatch =
            new Mismatch(
                checkpoint.treeSize(),
                null,
                Reason.CHECKPOINT,
                "the stored checkpoint of "
                    + checkpoint.treeSize()
                    + " rows is not validly signed by this log's key");
        return false;
      }
      compared.add(checkpoint.treeSize());
      if (!Arrays.equals(tree.root(), checkpoint.rootHash())) {
        mismatch =
            new Mismatch(
                checkpoint.treeSize(),
                null,
                Reason.CHECKPOINT,
                "the rows give the root "
                    + AuditContent.hex(tree.root())
                    + " at "
                    + checkpoint.treeSize()
                    + " rows, the signed checkpoint states "
                    + AuditContent.hex(checkpoint.rootHash()));
        return false;
      }
      return true;
    }

    private VerificationReport report() {
      String last = AuditContent.hex(prev);
      if (mismatch != null) {
        return new VerificationReport(
            Status.FAILED, from, to, checked, last, null, List.copyOf(compared), null, mismatch);
      }
      return new VerificationReport(
          Status.OK,
          from,
          to,
          checked,
          last,
          tree == null ? null : AuditContent.hex(tree.root()),
          List.copyOf(compared),
          nextFrom,
          null);
    }
  }

  private static Mismatch earlier(Mismatch a, Mismatch b) {
    return a == null || b.seq() < a.seq() ? b : a;
  }

  private static VerificationReport failed(
      long from, long to, long checked, String lastHash, Mismatch mismatch) {
    return new VerificationReport(
        Status.FAILED, from, to, checked, lastHash, null, List.of(), null, mismatch);
  }
}

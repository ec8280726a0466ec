package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.repository.CheckpointRepository;
import dev.slipway.audit.repository.LogSnapshots;
import dev.slipway.audit.service.VerificationReport.Mismatch;
import dev.slipway.audit.service.VerificationReport.Reason;
import dev.slipway.audit.service.VerificationReport.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
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

  /**
   * Verifies rows {@code fromSeq..toSeq}: by default from the row after the latest checkpoint to
   * the end, at most {@code slipway.audit.verify.max-rows} rows per call.
   */
  public VerificationReport verify(Long fromSeq, Long toSeq) {
    Optional<Checkpoint> latest = checkpoints.latest();
    return snapshots.read(
        false,
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
          if (to - from + 1 > config.verify().maxRows()) {
            to = from + config.verify().maxRows() - 1;
            nextFrom = to + 1;
          }
          return new Run(snapshot, from, to, nextFrom).verify();
        });
  }

  /** One verification of rows {@code from..to} in one snapshot. */
  private final class Run {
    private final LogSnapshots.Snapshot snapshot;
    private final long from;
    private final long to;
    private final Long nextFrom;
    private final Deque<Checkpoint> anchors;
    private final List<Long> compared = new ArrayList<>();
    private CompactRange tree;
    private byte[] prev;
    private long checked;
    private Mismatch mismatch;

    Run(LogSnapshots.Snapshot snapshot, long from, long to, Long nextFrom) {
      this.snapshot = snapshot;
      this.from = from;
      this.to = to;
      this.nextFrom = nextFrom;
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
        tree = snapshot.tree().frontier(from - 1);
      } catch (MerkleTree.MissingHashesException e) {
        unreadable = e.getMessage();
      }
      if (tree != null && !checkAnchor()) {
        return report();
      }
      long[] expected = {from};
      snapshot.rows(
          "seq BETWEEN ? AND ?",
          List.of(from, to),
          config.verify().fetchSize(),
          row -> {
            if (row.seq() != expected[0]) {
              mismatch =
                  new Mismatch(
                      expected[0], null, Reason.MISSING, "no row; the next row is " + row.seq());
              return false;
            }
            checked++;
            expected[0]++;
            return checkRow(row) && checkAnchor();
          });
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

    private boolean checkRow(AuditEvent row) {
      String id = row.record().eventId();
      if (!row.prevHash().equals(AuditContent.hex(prev))) {
        mismatch =
            new Mismatch(
                row.seq(),
                id,
                Reason.LINK,
                "prev_hash is "
                    + row.prevHash()
                    + ", the previous row's hash is "
                    + AuditContent.hex(prev));
        return false;
      }
      byte[] leaf = AuditContent.leafHash(row);
      if (!Arrays.equals(leaf, AuditContent.fromHex(row.leafHash()))) {
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
      byte[] hash = AuditContent.chainHash(prev, leaf);
      if (!Arrays.equals(hash, AuditContent.fromHex(row.hash()))) {
        mismatch =
            new Mismatch(
                row.seq(),
                id,
                Reason.CONTENT,
                "stored hash is " + row.hash() + ", the chain gives " + AuditContent.hex(hash));
        return false;
      }
      if (tree != null) {
        tree.append(leaf);
      }
      prev = hash;
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

  private static VerificationReport failed(
      long from, long to, long checked, String lastHash, Mismatch mismatch) {
    return new VerificationReport(
        Status.FAILED, from, to, checked, lastHash, null, List.of(), null, mismatch);
  }
}

package dev.slipway.audit.service;

import dev.slipway.audit.content.AuditContent;
import dev.slipway.audit.merkle.MerkleTree;
import dev.slipway.audit.repository.LogSnapshots;
import dev.slipway.problem.InvalidInputException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Inclusion and consistency proofs of the log's Merkle tree (RFC 9162 2.1.3 and 2.1.4). */
@ApplicationScoped
public class ProofService {

  /** A request for a proof the log cannot give: names the input at fault. */
  public static class OutsideTheLogException extends InvalidInputException {

    public OutsideTheLogException(String field, String detail) {
      super(detail, field);
    }
  }

  /**
   * An audit path.
   *
   * @param seq the row
   * @param leafIndex its leaf index, {@code seq - 1}
   * @param treeSize the size of the tree it is proven in
   * @param leafHash hex leaf hash of the row
   * @param rootHash hex root of that tree
   * @param hashes hex hashes of the path, from the leaf up
   */
  public record InclusionProof(
      long seq,
      long leafIndex,
      long treeSize,
      String leafHash,
      String rootHash,
      List<String> hashes) {}

  /**
   * A consistency proof.
   *
   * @param from the smaller tree size
   * @param to the larger tree size
   * @param fromRoot hex root of the smaller tree
   * @param toRoot hex root of the larger tree
   * @param hashes hex hashes of the proof
   */
  public record ConsistencyProof(
      long from, long to, String fromRoot, String toRoot, List<String> hashes) {}

  private final LogSnapshots snapshots;

  /** Time to work out a proof, from the request's parameters to its hashes. */
  private final Timer inclusionTime;

  private final Timer consistencyTime;

  public ProofService(LogSnapshots snapshots, MeterRegistry registry) {
    this.snapshots = snapshots;
    this.inclusionTime = registry.timer("slipway.audit.proofs", "proof", "inclusion");
    this.consistencyTime = registry.timer("slipway.audit.proofs", "proof", "consistency");
  }

  /** The audit path of row {@code seq} in the tree of {@code treeSize} rows (default: all). */
  public InclusionProof inclusion(long seq, Long treeSize) {
    return inclusionTime.record(() -> inclusionProof(seq, treeSize));
  }

  private InclusionProof inclusionProof(long seq, Long treeSize) {
    long size = committedSize("treeSize", treeSize);
    if (seq > size) {
      throw new OutsideTheLogException(
          "seq", "row " + seq + " is not in a tree of " + size + " rows");
    }
    MerkleTree.Inclusion proof = snapshots.tree(size).inclusion(seq - 1, size);
    return new InclusionProof(
        seq,
        seq - 1,
        size,
        AuditContent.hex(proof.leafHash()),
        AuditContent.hex(proof.root()),
        hex(proof.path()));
  }

  /** The proof that the tree of {@code from} rows is a prefix of the tree of {@code to}. */
  public ConsistencyProof consistency(long from, Long to) {
    return consistencyTime.record(() -> consistencyProof(from, to));
  }

  private ConsistencyProof consistencyProof(long from, Long to) {
    long second = committedSize("to", to);
    if (from > second) {
      throw new OutsideTheLogException("from", "from must not be after to");
    }
    MerkleTree.Consistency proof = snapshots.tree(second).consistency(from, second);
    return new ConsistencyProof(
        from,
        second,
        AuditContent.hex(proof.firstRoot()),
        AuditContent.hex(proof.secondRoot()),
        hex(proof.proof()));
  }

  /**
   * {@code asked} when the log has that many rows, the log's size when nothing is asked. A size
   * this instance has seen committed is taken without asking the database: rows are never removed.
   */
  private long committedSize(String field, Long asked) {
    if (asked != null && asked <= snapshots.knownSize()) {
      return asked;
    }
    long size = snapshots.size();
    if (asked == null) {
      return size;
    }
    if (asked > size) {
      throw new OutsideTheLogException(
          field, field + " " + asked + " is beyond the log's " + size + " rows");
    }
    return asked;
  }

  private static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(AuditContent::hex).toList();
  }
}

package dev.slipway.audit.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * The frontier of a Merkle tree of {@code size} leaves: the roots of the perfect subtrees that make
 * up leaves {@code [0, size)}, largest (leftmost) first, one per set bit of {@code size}. It is all
 * a writer needs to append leaves and compute the root, and all a verifier needs to continue from a
 * checkpoint.
 */
public final class CompactRange {

  /** Told of every interior node an append completes. */
  @FunctionalInterface
  public interface NodeSink {
    /** The perfect subtree of {@code 2^level} leaves starting at leaf {@code index * 2^level}. */
    void completed(int level, long index, byte[] hash);
  }

  private long size;
  private final List<byte[]> hashes;

  private CompactRange(long size, List<byte[]> hashes) {
    this.size = size;
    this.hashes = hashes;
  }

  /** The frontier of the empty tree. */
  public static CompactRange empty() {
    return new CompactRange(0, new ArrayList<>());
  }

  /** A frontier from its hashes, leftmost first; one per set bit of {@code size}. */
  public static CompactRange of(long size, List<byte[]> hashes) {
    if (size < 0 || Long.bitCount(size) != hashes.size()) {
      throw new IllegalArgumentException(
          "a tree of " + size + " leaves has " + Long.bitCount(size) + " frontier hashes");
    }
    return new CompactRange(size, new ArrayList<>(hashes));
  }

  /** A frontier from its hashes concatenated, as checkpoints store it. */
  public static CompactRange of(long size, byte[] concatenated) {
    List<byte[]> hashes = new ArrayList<>();
    for (int i = 0; i + MerkleHash.SIZE <= concatenated.length; i += MerkleHash.SIZE) {
      byte[] hash = new byte[MerkleHash.SIZE];
      System.arraycopy(concatenated, i, hash, 0, MerkleHash.SIZE);
      hashes.add(hash);
    }
    return of(size, hashes);
  }

  public long size() {
    return size;
  }

  /** The frontier hashes, leftmost first. */
  public List<byte[]> hashes() {
    return List.copyOf(hashes);
  }

  /** The frontier hashes concatenated. */
  public byte[] concatenated() {
    byte[] out = new byte[hashes.size() * MerkleHash.SIZE];
    for (int i = 0; i < hashes.size(); i++) {
      System.arraycopy(hashes.get(i), 0, out, i * MerkleHash.SIZE, MerkleHash.SIZE);
    }
    return out;
  }

  /** Appends a leaf hash. */
  public void append(byte[] leafHash) {
    append(leafHash, (level, index, hash) -> {});
  }

  /** Appends a leaf hash, telling {@code sink} of every interior node that completes. */
  public void append(byte[] leafHash, NodeSink sink) {
    byte[] hash = leafHash;
    long after = size + 1;
    int level = 0;
    for (long s = size; (s & 1) == 1; s >>= 1) {
      hash = MerkleHash.node(hashes.remove(hashes.size() - 1), hash);
      level++;
      sink.completed(level, (after >> level) - 1, hash);
    }
    hashes.add(hash);
    size = after;
  }

  /** The tree's root hash: the frontier folded from the right. */
  public byte[] root() {
    if (hashes.isEmpty()) {
      return MerkleHash.empty();
    }
    byte[] root = hashes.get(hashes.size() - 1);
    for (int i = hashes.size() - 2; i >= 0; i--) {
      root = MerkleHash.node(hashes.get(i), root);
    }
    return root;
  }

  /** An independent copy. */
  public CompactRange copy() {
    return new CompactRange(size, new ArrayList<>(hashes));
  }
}

package dev.slipway.launcher.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * The verifier's own RFC 9162 Merkle tree arithmetic over SHA-256, written from the RFC and not
 * shared with the log: the root of a range of leaves, and the frontier (the roots of the perfect
 * subtrees making up a tree, largest first) that a prefix of the log is carried in. Checked against
 * the golden vectors the log's code is checked against (audit-service/vectors).
 */
final class MerkleRoots {

  private MerkleRoots() {}

  /** MTH of leaves {@code [lo, hi)} of {@code leaves}, leaf hashes concatenated. */
  static byte[] root(byte[] leaves, long lo, long hi) {
    if (hi == lo) {
      return sha256(new byte[0], new byte[0]);
    }
    if (hi - lo == 1) {
      return Arrays.copyOfRange(leaves, (int) (lo * 32), (int) (lo * 32 + 32));
    }
    long k = Long.highestOneBit(hi - lo - 1);
    return node(root(leaves, lo, lo + k), root(leaves, lo + k, hi));
  }

  /** Adds leaf number {@code index} to the frontier of the leaves before it. */
  static void push(List<byte[]> frontier, long index, byte[] leaf) {
    byte[] carry = leaf;
    for (long n = index; (n & 1) == 1; n >>= 1) {
      carry = node(frontier.remove(frontier.size() - 1), carry);
    }
    frontier.add(carry);
  }

  /** The root of the tree a frontier stands for. */
  static byte[] fold(List<byte[]> frontier) {
    if (frontier.isEmpty()) {
      return sha256(new byte[0], new byte[0]);
    }
    byte[] acc = frontier.get(frontier.size() - 1);
    for (int i = frontier.size() - 2; i >= 0; i--) {
      acc = node(frontier.get(i), acc);
    }
    return acc;
  }

  /** SHA-256(0x00 || data). */
  static byte[] leaf(byte[] data) {
    return sha256(new byte[] {0}, data);
  }

  static byte[] node(byte[] left, byte[] right) {
    byte[] both = new byte[65];
    both[0] = 1;
    System.arraycopy(left, 0, both, 1, 32);
    System.arraycopy(right, 0, both, 33, 32);
    return sha256(new byte[0], both);
  }

  static byte[] sha256(byte[] a, byte[] b) {
    MessageDigest sha = SHA256.get();
    sha.reset();
    sha.update(a);
    return sha.digest(b);
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });
}

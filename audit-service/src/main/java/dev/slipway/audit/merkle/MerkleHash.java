package dev.slipway.audit.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hashes of an RFC 6962 / RFC 9162 Merkle tree over SHA-256: a leaf is {@code SHA-256(0x00 ||
 * data)}, an interior node {@code SHA-256(0x01 || left || right)}, the empty tree {@code
 * SHA-256()}. The two prefixes keep a leaf from ever passing for a node (second preimages).
 */
public final class MerkleHash {

  /** Bytes in a hash. */
  public static final int SIZE = 32;

  private static final byte[] LEAF_PREFIX = {0};
  private static final byte[] NODE_PREFIX = {1};

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(MerkleHash::newSha256);

  private MerkleHash() {}

  /** The leaf hash of {@code data}. */
  public static byte[] leaf(byte[] data) {
    MessageDigest sha = sha256();
    sha.update(LEAF_PREFIX);
    return sha.digest(data);
  }

  /** The hash of an interior node. */
  public static byte[] node(byte[] left, byte[] right) {
    MessageDigest sha = sha256();
    sha.update(NODE_PREFIX);
    sha.update(left);
    return sha.digest(right);
  }

  /** The root of the empty tree. */
  public static byte[] empty() {
    return sha256().digest();
  }

  /** The largest power of two strictly less than {@code n}; {@code n} must be at least 2. */
  public static long largestPowerOfTwoBelow(long n) {
    if (n < 2) {
      throw new IllegalArgumentException("no power of two below " + n);
    }
    return Long.highestOneBit(n - 1);
  }

  /**
   * A new digest started on a leaf: fed the leaf's data, in as many parts as it comes, its {@code
   * digest()} is the leaf hash. The caller keeps it.
   */
  public static MessageDigest leafDigest() {
    MessageDigest sha = newSha256();
    sha.update(LEAF_PREFIX);
    return sha;
  }

  /** A reset SHA-256 digest of this thread. */
  static MessageDigest sha256() {
    MessageDigest sha = SHA256.get();
    sha.reset();
    return sha;
  }

  /** A new SHA-256 digest, for one to keep. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}

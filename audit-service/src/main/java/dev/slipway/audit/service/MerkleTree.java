package dev.slipway.audit.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9162 Merkle tree of {@code size} leaves read from stored hashes: the leaf hashes (level 0)
 * and the interior nodes at every level that is a multiple of the tile height. Any other node is
 * recomputed from at most {@code 2^(tileHeight-1)} stored hashes of one tile (the hashes of one
 * stored level that share a parent {@code tileHeight} levels up), so a node, a root, an inclusion
 * or a consistency proof costs a few reads whatever the size.
 */
public final class MerkleTree {

  /** Where the stored hashes come from. */
  @FunctionalInterface
  public interface NodeSource {
    /**
     * Stored hashes of {@code level} (0, or a multiple of the tile height) for indexes {@code
     * [from, to)}, in index order; fewer when some are missing.
     */
    List<byte[]> read(int level, long from, long to);
  }

  /** The stored hashes a node needs are not all there: rows or nodes were removed. */
  public static class MissingHashesException extends IllegalStateException {
    MissingHashesException(String message) {
      super(message);
    }
  }

  /** Full tiles never change once written, so they can be kept for trees of any later size. */
  public static final class TileCache {
    private final Map<Long, byte[][]> tiles;

    public TileCache(int capacity) {
      this.tiles =
          new LinkedHashMap<>(capacity, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[][]> eldest) {
              return size() > capacity;
            }
          };
    }

    synchronized byte[][] get(long key) {
      return tiles.get(key);
    }

    synchronized void put(long key, byte[][] tile) {
      tiles.put(key, tile);
    }
  }

  private final NodeSource source;
  private final int tileHeight;
  private final long size;
  private final TileCache shared;
  private final Map<Long, byte[][]> local = new HashMap<>();

  /**
   * @param source the stored hashes
   * @param tileHeight levels per tile: the stored levels are its multiples
   * @param size leaves in the tree
   * @param shared full tiles kept across trees, or null to read everything from {@code source}
   */
  public MerkleTree(NodeSource source, int tileHeight, long size, TileCache shared) {
    if (tileHeight < 1 || tileHeight > 16) {
      throw new IllegalArgumentException("tile height " + tileHeight);
    }
    this.source = source;
    this.tileHeight = tileHeight;
    this.size = size;
    this.shared = shared;
  }

  public long size() {
    return size;
  }

  /** The root hash. */
  public byte[] root() {
    return size == 0 ? MerkleHash.empty() : range(0, size);
  }

  /** The root hash of the tree's first {@code treeSize} leaves. */
  public byte[] root(long treeSize) {
    checkSize(treeSize);
    return treeSize == 0 ? MerkleHash.empty() : range(0, treeSize);
  }

  /** The leaf hash of leaf {@code index}. */
  public byte[] leaf(long index) {
    return node(0, index);
  }

  /**
   * The Merkle tree hash of leaves {@code [lo, hi)}, a range the RFC's recursion produces: {@code
   * lo} is a multiple of the largest power of two not above {@code hi - lo}.
   */
  public byte[] range(long lo, long hi) {
    if (lo < 0 || hi > size || lo >= hi) {
      throw new IllegalArgumentException("range [" + lo + ", " + hi + ") of a tree of " + size);
    }
    long n = hi - lo;
    if (Long.bitCount(n) == 1 && lo % n == 0) {
      return node(Long.numberOfTrailingZeros(n), lo / n);
    }
    long k = MerkleHash.largestPowerOfTwoBelow(n);
    return MerkleHash.node(range(lo, lo + k), range(lo + k, hi));
  }

  /**
   * The hash of the perfect subtree of {@code 2^level} leaves starting at leaf {@code index <<
   * level}.
   */
  public byte[] node(int level, long index) {
    if (index < 0 || level < 0 || level > 62 || ((index + 1) << level) > size) {
      throw new IllegalArgumentException(
          "node " + index + " at level " + level + " is not in a tree of " + size);
    }
    int span = level % tileHeight;
    int base = level - span;
    long first = index << span;
    List<byte[]> hashes = new ArrayList<>(1 << span);
    for (long i = first; i < first + (1L << span); i++) {
      hashes.add(stored(base, i));
    }
    while (hashes.size() > 1) {
      List<byte[]> parents = new ArrayList<>(hashes.size() / 2);
      for (int i = 0; i < hashes.size(); i += 2) {
        parents.add(MerkleHash.node(hashes.get(i), hashes.get(i + 1)));
      }
      hashes = parents;
    }
    return hashes.get(0);
  }

  /** The frontier of the tree's first {@code treeSize} leaves. */
  public CompactRange frontier(long treeSize) {
    checkSize(treeSize);
    List<byte[]> hashes = new ArrayList<>();
    long start = 0;
    for (int level = 63; level >= 0; level--) {
      if ((treeSize & (1L << level)) != 0) {
        hashes.add(node(level, start >> level));
        start += 1L << level;
      }
    }
    return CompactRange.of(treeSize, hashes);
  }

  /**
   * The audit path of leaf {@code index} in the tree's first {@code treeSize} leaves, leaf first.
   */
  public List<byte[]> inclusionProof(long index, long treeSize) {
    checkSize(treeSize);
    if (index < 0 || index >= treeSize) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + treeSize);
    }
    List<byte[]> proof = new ArrayList<>();
    path(index, 0, treeSize, proof);
    return proof;
  }

  /**
   * The proof that the tree's first {@code first} leaves are a prefix of its first {@code second}
   * (RFC 9162 2.1.4); empty when {@code first} is 0 or equals {@code second}.
   */
  public List<byte[]> consistencyProof(long first, long second) {
    checkSize(second);
    if (first < 0 || first > second) {
      throw new IllegalArgumentException("no consistency from " + first + " to " + second);
    }
    List<byte[]> proof = new ArrayList<>();
    if (first > 0 && first < second) {
      subproof(first, 0, second, true, proof);
    }
    return proof;
  }

  /**
   * The root an inclusion proof leads to (RFC 9162 2.1.3.2), or null when the proof does not fit a
   * tree of {@code treeSize} leaves.
   */
  public static byte[] rootFromInclusion(
      long index, long treeSize, byte[] leafHash, List<byte[]> proof) {
    if (index < 0 || index >= treeSize) {
      return null;
    }
    long fn = index;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        return null;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.node(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = MerkleHash.node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : null;
  }

  /** Whether {@code proof} shows the tree of root {@code firstRoot} is a prefix of the other. */
  public static boolean verifyConsistency(
      long first, long second, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {
    if (first < 0 || first > second) {
      return false;
    }
    if (first == second) {
      return proof.isEmpty() && Arrays.equals(firstRoot, secondRoot);
    }
    if (first == 0) {
      return proof.isEmpty();
    }
    List<byte[]> path = new ArrayList<>(proof);
    if (Long.bitCount(first) == 1) {
      path.add(0, firstRoot);
    }
    if (path.isEmpty()) {
      return false;
    }
    long fn = first - 1;
    long sn = second - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHash.node(c, fr);
        sr = MerkleHash.node(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = MerkleHash.node(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && Arrays.equals(fr, firstRoot) && Arrays.equals(sr, secondRoot);
  }

  private void path(long m, long lo, long hi, List<byte[]> proof) {
    if (hi - lo <= 1) {
      return;
    }
    long k = MerkleHash.largestPowerOfTwoBelow(hi - lo);
    if (m < lo + k) {
      path(m, lo, lo + k, proof);
      proof.add(range(lo + k, hi));
    } else {
      path(m, lo + k, hi, proof);
      proof.add(range(lo, lo + k));
    }
  }

  private void subproof(long m, long lo, long hi, boolean whole, List<byte[]> proof) {
    long n = hi - lo;
    if (m == n) {
      if (!whole) {
        proof.add(range(lo, hi));
      }
      return;
    }
    long k = MerkleHash.largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, lo, lo + k, whole, proof);
      proof.add(range(lo + k, hi));
    } else {
      subproof(m - k, lo + k, hi, false, proof);
      proof.add(range(lo, lo + k));
    }
  }

  private byte[] stored(int level, long index) {
    long tile = index >> tileHeight;
    byte[][] entries = tile(level, tile);
    int at = (int) (index - (tile << tileHeight));
    if (at >= entries.length) {
      throw new MissingHashesException(
          "the Merkle tree storage has no hash at level " + level + ", index " + index);
    }
    return entries[at];
  }

  private byte[][] tile(int level, long tile) {
    long key = ((long) level << 56) | tile;
    byte[][] entries = local.get(key);
    if (entries == null && shared != null) {
      entries = shared.get(key);
    }
    if (entries != null) {
      return entries;
    }
    int width = 1 << tileHeight;
    long from = tile << tileHeight;
    long to = Math.min(from + width, size >> level);
    List<byte[]> read = source.read(level, from, to);
    if (read.size() != to - from) {
      throw new MissingHashesException(
          "the Merkle tree storage holds "
              + read.size()
              + " of the "
              + (to - from)
              + " hashes at level "
              + level
              + " from index "
              + from);
    }
    entries = read.toArray(new byte[0][]);
    local.put(key, entries);
    if (shared != null && entries.length == width) {
      shared.put(key, entries);
    }
    return entries;
  }

  private void checkSize(long treeSize) {
    if (treeSize < 0 || treeSize > size) {
      throw new IllegalArgumentException("tree size " + treeSize + " is not within " + size);
    }
  }
}

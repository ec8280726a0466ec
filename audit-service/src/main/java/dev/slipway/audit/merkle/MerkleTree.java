package dev.slipway.audit.merkle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An RFC 9162 Merkle tree of {@code size} leaves read from tiles: the stored levels are the leaves
 * (level 0) and every multiple of the tile height, {@code 2^height} hashes to a tile; any node
 * between two stored levels is an interior node of one tile, computed once per tile and cached with
 * it. Every operation first works out which nodes it needs (pure arithmetic), reads the tiles that
 * hold them that are not cached in one call to the source, then hashes, so a root, an inclusion or
 * a consistency proof costs one read of a few tiles whatever the size.
 */
public final class MerkleTree {

  /** The stored hashes a node needs are not all there: rows or nodes were removed. */
  public static class MissingHashesException extends IllegalStateException {
    MissingHashesException(String message) {
      super(message);
    }
  }

  /**
   * An inclusion proof with what it is checked against.
   *
   * @param leafHash the leaf's hash
   * @param root the root of the tree the leaf is proven in
   * @param path the audit path, from the leaf up
   */
  public record Inclusion(byte[] leafHash, byte[] root, List<byte[]> path) {}

  /**
   * A consistency proof with the two roots it links.
   *
   * @param firstRoot root of the smaller tree
   * @param secondRoot root of the larger tree
   * @param proof the proof
   */
  public record Consistency(byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {}

  /**
   * A node: the perfect subtree of {@code 2^level} leaves starting at leaf {@code index << level}.
   */
  private record Node(int level, long index) {}

  private final TileSource source;
  private final int height;
  private final long size;
  private final TileCache shared;
  private final Map<TileKey, Tile> local = new HashMap<>();

  /**
   * @param source the stored hashes
   * @param height levels per tile: the stored levels are its multiples
   * @param size leaves in the tree
   * @param shared tiles kept across trees, or null to read everything from {@code source}
   */
  public MerkleTree(TileSource source, int height, long size, TileCache shared) {
    if (height < 1 || height > 16) {
      throw new IllegalArgumentException("tile height " + height);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size " + size);
    }
    this.source = source;
    this.height = height;
    this.size = size;
    this.shared = shared;
  }

  public long size() {
    return size;
  }

  /** Levels per tile. */
  public int height() {
    return height;
  }

  /** The root hash. */
  public byte[] root() {
    return root(size);
  }

  /** The root hash of the tree's first {@code treeSize} leaves. */
  public byte[] root(long treeSize) {
    checkSize(treeSize);
    if (treeSize == 0) {
      return MerkleHash.empty();
    }
    load(parts(0, treeSize, new ArrayList<>()));
    return range(0, treeSize);
  }

  /** The leaf hash of leaf {@code index}. */
  public byte[] leaf(long index) {
    return node(0, index);
  }

  /**
   * The hash of the perfect subtree of {@code 2^level} leaves starting at leaf {@code index <<
   * level}.
   */
  public byte[] node(int level, long index) {
    checkNode(level, index);
    load(List.of(new Node(level, index)));
    return hash(new Node(level, index));
  }

  /** The frontier of the tree's first {@code treeSize} leaves. */
  public CompactRange frontier(long treeSize) {
    checkSize(treeSize);
    List<Node> nodes = parts(0, treeSize, new ArrayList<>());
    load(nodes);
    return CompactRange.of(treeSize, nodes.stream().map(this::hash).toList());
  }

  /** The audit path of leaf {@code index} in the tree's first {@code treeSize} leaves. */
  public List<byte[]> inclusionProof(long index, long treeSize) {
    return inclusion(index, treeSize).path();
  }

  /**
   * Leaf {@code index}'s hash, the root of the tree's first {@code treeSize} leaves and the path.
   */
  public Inclusion inclusion(long index, long treeSize) {
    checkSize(treeSize);
    if (index < 0 || index >= treeSize) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + treeSize);
    }
    List<long[]> ranges = new ArrayList<>();
    path(index, 0, treeSize, ranges);
    List<Node> needed = new ArrayList<>();
    needed.add(new Node(0, index));
    parts(0, treeSize, needed);
    ranges.forEach(r -> parts(r[0], r[1], needed));
    load(needed);
    return new Inclusion(
        hash(new Node(0, index)), range(0, treeSize), ranges.stream().map(this::range).toList());
  }

  /**
   * The proof that the tree's first {@code first} leaves are a prefix of its first {@code second}
   * (RFC 9162 2.1.4); empty when {@code first} is 0 or equals {@code second}.
   */
  public List<byte[]> consistencyProof(long first, long second) {
    return consistency(first, second).proof();
  }

  /** Both roots and the consistency proof between them. */
  public Consistency consistency(long first, long second) {
    checkSize(second);
    if (first < 0 || first > second) {
      throw new IllegalArgumentException("no consistency from " + first + " to " + second);
    }
    List<long[]> ranges = new ArrayList<>();
    if (first > 0 && first < second) {
      subproof(first, 0, second, true, ranges);
    }
    List<Node> needed = new ArrayList<>();
    parts(0, first, needed);
    parts(0, second, needed);
    ranges.forEach(r -> parts(r[0], r[1], needed));
    load(needed);
    return new Consistency(
        first == 0 ? MerkleHash.empty() : range(0, first),
        second == 0 ? MerkleHash.empty() : range(0, second),
        ranges.stream().map(this::range).toList());
  }

  /**
   * The stored hashes of level {@code level} (0 or a multiple of the height) in the tile that holds
   * index {@code tileIndex << height}, as far as the tree reaches, concatenated.
   */
  public byte[] tileHashes(int level, long tileIndex) {
    TileKey key = tileKey(level, tileIndex << height);
    if (key.width() == 0) {
      return new byte[0];
    }
    load(List.of(key));
    return tile(key).hashes();
  }

  /** The Merkle tree hash of leaves {@code [lo, hi)}, a range the RFC's recursion produces. */
  private byte[] range(long[] r) {
    return range(r[0], r[1]);
  }

  private byte[] range(long lo, long hi) {
    long n = hi - lo;
    if (Long.bitCount(n) == 1 && lo % n == 0) {
      return hash(new Node(Long.numberOfTrailingZeros(n), lo / n));
    }
    long k = MerkleHash.largestPowerOfTwoBelow(n);
    return MerkleHash.node(range(lo, lo + k), range(lo + k, hi));
  }

  /**
   * The perfect subtrees whose hashes make up leaves {@code [lo, hi)}, as {@link #range} splits.
   */
  private static List<Node> parts(long lo, long hi, List<Node> out) {
    long n = hi - lo;
    if (n <= 0) {
      return out;
    }
    if (Long.bitCount(n) == 1 && lo % n == 0) {
      out.add(new Node(Long.numberOfTrailingZeros(n), lo / n));
      return out;
    }
    long k = MerkleHash.largestPowerOfTwoBelow(n);
    parts(lo, lo + k, out);
    return parts(lo + k, hi, out);
  }

  /** RFC 9162 2.1.3.1 PATH(m, D[lo:hi]): the ranges whose roots make the audit path. */
  private static void path(long m, long lo, long hi, List<long[]> out) {
    if (hi - lo <= 1) {
      return;
    }
    long k = MerkleHash.largestPowerOfTwoBelow(hi - lo);
    if (m < lo + k) {
      path(m, lo, lo + k, out);
      out.add(new long[] {lo + k, hi});
    } else {
      path(m, lo + k, hi, out);
      out.add(new long[] {lo, lo + k});
    }
  }

  /** RFC 9162 2.1.4.1 SUBPROOF(m, D[lo:hi], b): the ranges whose roots make the proof. */
  private static void subproof(long m, long lo, long hi, boolean whole, List<long[]> out) {
    long n = hi - lo;
    if (m == n) {
      if (!whole) {
        out.add(new long[] {lo, hi});
      }
      return;
    }
    long k = MerkleHash.largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, lo, lo + k, whole, out);
      out.add(new long[] {lo + k, hi});
    } else {
      subproof(m - k, lo + k, hi, false, out);
      out.add(new long[] {lo, lo + k});
    }
  }

  /** The tile holding {@code node}'s stored hashes, as wide as this tree's size reaches. */
  private TileKey tileOf(Node node) {
    int span = node.level() % height;
    return tileKey(node.level() - span, node.index() << span);
  }

  /** The tile of level {@code base} holding the hash at {@code index}. */
  private TileKey tileKey(int base, long index) {
    long tile = index >> height;
    long available = base >= 63 ? 0 : size >> base;
    int width = (int) Math.max(0, Math.min(1L << height, available - (tile << height)));
    return new TileKey(base, tile, width);
  }

  private void load(List<Node> nodes) {
    Set<TileKey> keys = new LinkedHashSet<>();
    for (Node node : nodes) {
      keys.add(tileOf(node));
    }
    load(keys);
  }

  /** Reads the tiles of {@code keys} not cached yet, all in one call to the source. */
  private void load(Collection<TileKey> keys) {
    List<TileKey> missing = new ArrayList<>();
    for (TileKey key : keys) {
      if (local.containsKey(key)) {
        continue;
      }
      Tile cached = shared == null ? null : shared.get(key);
      if (cached != null) {
        local.put(key, cached);
      } else {
        missing.add(key);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    Map<TileKey, byte[]> read = source.read(missing);
    for (TileKey key : missing) {
      byte[] hashes = read.get(key);
      int got = hashes == null ? 0 : hashes.length / MerkleHash.SIZE;
      if (got != key.width()) {
        throw new MissingHashesException(
            "the Merkle tree storage holds "
                + got
                + " of the "
                + key.width()
                + " hashes at level "
                + key.level()
                + " from index "
                + key.first(height));
      }
      Tile tile = new Tile(hashes, height);
      local.put(key, tile);
      if (shared != null) {
        shared.put(key, tile);
      }
    }
  }

  private Tile tile(TileKey key) {
    Tile tile = local.get(key);
    if (tile == null) {
      load(List.of(key));
      tile = local.get(key);
    }
    return tile;
  }

  private byte[] hash(Node node) {
    TileKey key = tileOf(node);
    int span = node.level() % height;
    return tile(key).node(span, (int) (node.index() - (key.index() << (height - span))));
  }

  private void checkNode(int level, long index) {
    if (index < 0 || level < 0 || level > 62 || ((index + 1) << level) > size) {
      throw new IllegalArgumentException(
          "node " + index + " at level " + level + " is not in a tree of " + size);
    }
  }

  private void checkSize(long treeSize) {
    if (treeSize < 0 || treeSize > size) {
      throw new IllegalArgumentException("tree size " + treeSize + " is not within " + size);
    }
  }
}

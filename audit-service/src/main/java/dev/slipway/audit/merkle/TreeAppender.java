package dev.slipway.audit.merkle;

import java.util.Arrays;

/**
 * The right edge of a tree stored in tiles, to append leaves to: the frontier (which gives the
 * root) and, for every stored level, the hashes of its tile that is not full yet. Each append tells
 * the sink of the nodes it completes at stored levels above the leaves (to keep the right edge
 * readable) and of every tile it fills (to read the tree in whole tiles).
 */
public final class TreeAppender {

  /** Told what an append made. */
  public interface Sink {
    /** A node completed at a stored level above the leaves (a multiple of the tile height). */
    void node(int level, long index, byte[] hash);

    /** A tile filled: the {@code 2^height} hashes of {@code level} from {@code index << height}. */
    void tile(int level, long index, byte[] hashes);
  }

  private final int height;
  private final int width;
  private final CompactRange frontier;

  /** Per stored level ({@code level / height}): the hashes of its partial tile, and how many. */
  private final byte[][] partial;

  private final int[] filled;

  private TreeAppender(int height, CompactRange frontier, byte[][] partial, int[] filled) {
    this.height = height;
    this.width = 1 << height;
    this.frontier = frontier;
    this.partial = partial;
    this.filled = filled;
  }

  /** The right edge of the empty tree. */
  public static TreeAppender empty(int height) {
    return new TreeAppender(
        height, CompactRange.empty(), new byte[64 / height + 1][], new int[64 / height + 1]);
  }

  /** The right edge of {@code tree}, read from its storage. */
  public static TreeAppender of(MerkleTree tree) {
    int height = tree.height();
    long size = tree.size();
    TreeAppender appender =
        new TreeAppender(
            height, tree.frontier(size), new byte[64 / height + 1][], new int[64 / height + 1]);
    for (int level = 0; level < 63 && (size >> level) > 0; level += height) {
      long entries = size >> level;
      int count = (int) (entries & (appender.width - 1));
      if (count > 0) {
        int slot = level / height;
        appender.partial[slot] =
            Arrays.copyOf(
                tree.tileHashes(level, entries >> height), appender.width * MerkleHash.SIZE);
        appender.filled[slot] = count;
      }
    }
    return appender;
  }

  /** Leaves appended so far. */
  public long size() {
    return frontier.size();
  }

  /** The root of the tree so far. */
  public byte[] root() {
    return frontier.root();
  }

  /** The frontier so far (a copy). */
  public CompactRange frontier() {
    return frontier.copy();
  }

  /** Appends a leaf hash, telling {@code sink} of the stored nodes and full tiles it completes. */
  public void append(byte[] leafHash, Sink sink) {
    long index = frontier.size();
    frontier.append(
        leafHash,
        (level, nodeIndex, hash) -> {
          if (level % height == 0) {
            sink.node(level, nodeIndex, hash);
            add(level, nodeIndex, hash, sink);
          }
        });
    add(0, index, leafHash, sink);
  }

  /** An independent copy. */
  public TreeAppender copy() {
    byte[][] tiles = new byte[partial.length][];
    for (int i = 0; i < tiles.length; i++) {
      tiles[i] = partial[i] == null ? null : partial[i].clone();
    }
    return new TreeAppender(height, frontier.copy(), tiles, filled.clone());
  }

  private void add(int level, long index, byte[] hash, Sink sink) {
    int slot = level / height;
    if (partial[slot] == null) {
      partial[slot] = new byte[width * MerkleHash.SIZE];
    }
    int at = (int) (index & (width - 1));
    if (at != filled[slot]) {
      throw new IllegalStateException(
          "hash "
              + index
              + " of level "
              + level
              + " does not continue its tile at "
              + filled[slot]);
    }
    System.arraycopy(hash, 0, partial[slot], at * MerkleHash.SIZE, MerkleHash.SIZE);
    if (++filled[slot] == width) {
      sink.tile(level, index >> height, partial[slot].clone());
      filled[slot] = 0;
    }
  }
}

package dev.slipway.audit.merkle;

/**
 * One tile of a tree stored in tiles: the hashes of tree level {@code level} (0 for the leaves, or
 * a multiple of the tile height) with indexes {@code [index * 2^height, index * 2^height + width)}.
 * A tile of a given width never changes once its hashes exist (the log is append-only), so a full
 * tile and a partial tile at the right edge can both be cached under their key.
 *
 * @param level the tree level of the tile's hashes
 * @param index the tile's position among the tiles of that level
 * @param width how many hashes it holds: the tile height's full width, or fewer at the right edge
 */
public record TileKey(int level, long index, int width) {

  /** The index of the tile's first hash within its level. */
  public long first(int height) {
    return index << height;
  }
}

package dev.slipway.audit.merkle;

/**
 * The hashes of one tile and the interior nodes above them, up to the tile's height: height 0 are
 * the stored hashes, height {@code h} holds the nodes each made of {@code 2^h} of them. Interior
 * levels are computed once, when first asked for, and kept with the tile.
 */
final class Tile {

  private final byte[][] levels;
  private final int width;

  /**
   * @param hashes the stored hashes, concatenated
   * @param height levels of the tile: its full width is {@code 2^height}
   */
  Tile(byte[] hashes, int height) {
    this.width = hashes.length / MerkleHash.SIZE;
    this.levels = new byte[height + 1][];
    this.levels[0] = hashes;
  }

  int width() {
    return width;
  }

  /** The stored hashes, concatenated. */
  byte[] hashes() {
    return levels[0].clone();
  }

  /** Node {@code position} at {@code height} above the tile's stored level, counted in the tile. */
  byte[] node(int height, int position) {
    byte[] level = level(height);
    byte[] hash = new byte[MerkleHash.SIZE];
    System.arraycopy(level, position * MerkleHash.SIZE, hash, 0, MerkleHash.SIZE);
    return hash;
  }

  private synchronized byte[] level(int height) {
    if (levels[height] == null) {
      byte[] below = level(height - 1);
      int count = (width >> height);
      byte[] out = new byte[count * MerkleHash.SIZE];
      byte[] left = new byte[MerkleHash.SIZE];
      byte[] right = new byte[MerkleHash.SIZE];
      for (int i = 0; i < count; i++) {
        System.arraycopy(below, 2 * i * MerkleHash.SIZE, left, 0, MerkleHash.SIZE);
        System.arraycopy(below, (2 * i + 1) * MerkleHash.SIZE, right, 0, MerkleHash.SIZE);
        System.arraycopy(
            MerkleHash.node(left, right), 0, out, i * MerkleHash.SIZE, MerkleHash.SIZE);
      }
      levels[height] = out;
    }
    return levels[height];
  }
}

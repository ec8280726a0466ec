package dev.slipway.audit.merkle;

import java.util.Collection;
import java.util.Map;

/** Where the stored hashes of a tree come from. */
@FunctionalInterface
public interface TileSource {
  /**
   * The hashes of each tile asked for, concatenated in index order ({@code width * 32} bytes); a
   * tile whose hashes are not all stored is absent or shorter.
   */
  Map<TileKey, byte[]> read(Collection<TileKey> tiles);
}

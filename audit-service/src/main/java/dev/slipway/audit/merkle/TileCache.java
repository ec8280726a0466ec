package dev.slipway.audit.merkle;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tiles kept across trees, least recently used first out. A tile never changes once its hashes
 * exist, so one read serves every later tree of any size; each is kept with the interior nodes
 * computed from it so far.
 */
public final class TileCache {

  private final Map<TileKey, Tile> tiles;

  public TileCache(int capacity) {
    this.tiles =
        new LinkedHashMap<>(Math.max(16, capacity), 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<TileKey, Tile> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized Tile get(TileKey key) {
    return tiles.get(key);
  }

  synchronized void put(TileKey key, Tile tile) {
    tiles.put(key, tile);
  }
}

package dev.slipway.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Merkle tree against values computed by hand. The leaves are RFC 6962's test leaves d0..d7;
 * {@code a..h} are their leaf hashes and, as in RFC 6962 section 2.1.3, g = H(a,b), h' = H(c,d), i
 * = H(e,f), k = H(g,h'), l = H(i,j) with j the leaf hash of d6. The roots of sizes 1..8 are the
 * published RFC 6962 reference values.
 */
class MerkleTreeTest {

  private static final HexFormat HEX = HexFormat.of();

  private static final byte[][] DATA = {
    {},
    {0x00},
    {0x10},
    {0x20, 0x21},
    {0x30, 0x31},
    {0x40, 0x41, 0x42, 0x43},
    {0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
    HEX.parseHex("606162636465666768696a6b6c6d6e6f")
  };

  @ParameterizedTest
  @CsvSource({
    "1, 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "2, fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "3, aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "4, d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "5, 4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "6, 76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "7, ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "8, 5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
  })
  void rootsAreTheRfc6962ReferenceValues(int size, String root) {
    for (int tileHeight : new int[] {1, 2, 8}) {
      assertThat(HEX.formatHex(tree(size, tileHeight).root())).isEqualTo(root);
    }
  }

  @Test
  void smallTreesHaveTheShapesOfTheRfc() {
    byte[][] d = leafHashes(7);
    byte[] g = h(d[0], d[1]);
    byte[] h2 = h(d[2], d[3]);
    byte[] i = h(d[4], d[5]);
    byte[] k = h(g, h2);
    byte[] l = h(i, d[6]);

    assertThat(tree(3, 8).root()).isEqualTo(h(g, d[2]));
    assertThat(tree(5, 8).root()).isEqualTo(h(k, d[4]));
    assertThat(tree(6, 8).root()).isEqualTo(h(k, i));
    assertThat(tree(7, 8).root()).isEqualTo(h(k, l));
    MerkleTree seven = tree(7, 2);
    // RFC 6962 2.1.3: the audit path of d2 (c) is [d, g, l]; of d6 (j) is [i, k].
    assertThat(seven.inclusionProof(2, 7)).containsExactly(d[3], g, l);
    assertThat(seven.inclusionProof(6, 7)).containsExactly(i, k);
    // ... and PROOF(3, D[7]) = [c, d, g, l], PROOF(4, D[7]) = [l], PROOF(6, D[7]) = [i, j, k].
    assertThat(seven.consistencyProof(3, 7)).containsExactly(d[2], d[3], g, l);
    assertThat(seven.consistencyProof(4, 7)).containsExactly(l);
    assertThat(seven.consistencyProof(6, 7)).containsExactly(i, d[6], k);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 8})
  void storedTilesGiveTheSameTreeAsTheLeavesForEverySize(int tileHeight) {
    int max = 600;
    byte[][] leaves = new byte[max][];
    for (int n = 0; n < max; n++) {
      leaves[n] = MerkleHash.leaf(("leaf " + n).getBytes(StandardCharsets.UTF_8));
    }
    MerkleTree full = tree(leaves, max, tileHeight);
    for (int n = 1; n <= max; n += n < 70 ? 1 : 37) {
      byte[] root = reference(leaves, 0, n);
      assertThat(full.root(n)).as("root of %d", n).isEqualTo(root);
      assertThat(full.frontier(n).root()).as("frontier of %d", n).isEqualTo(root);
      for (long m = 0; m < n; m += Math.max(1, n / 7)) {
        List<byte[]> proof = full.inclusionProof(m, n);
        assertThat(ProofVerifier.rootFromInclusion(m, n, leaves[(int) m], proof))
            .as("leaf %d of %d", m, n)
            .isEqualTo(root);
      }
      for (long m = 1; m <= n; m += Math.max(1, n / 5)) {
        List<byte[]> proof = full.consistencyProof(m, n);
        assertThat(ProofVerifier.verifyConsistency(m, n, reference(leaves, 0, m), root, proof))
            .as("consistency %d -> %d", m, n)
            .isTrue();
      }
    }
  }

  @Test
  void aProofForAnotherLeafOrAnotherTreeDoesNotVerify() {
    MerkleTree seven = tree(7, 2);
    byte[][] d = leafHashes(7);
    List<byte[]> proof = seven.inclusionProof(2, 7);

    assertThat(ProofVerifier.rootFromInclusion(2, 7, d[2], proof)).isEqualTo(seven.root());
    assertThat(ProofVerifier.rootFromInclusion(3, 7, d[3], proof)).isNotEqualTo(seven.root());
    assertThat(ProofVerifier.rootFromInclusion(2, 7, d[1], proof)).isNotEqualTo(seven.root());
    assertThat(ProofVerifier.rootFromInclusion(2, 9, d[2], proof)).isNull();
    List<byte[]> consistency = seven.consistencyProof(3, 7);
    assertThat(ProofVerifier.verifyConsistency(3, 7, seven.root(3), seven.root(), consistency))
        .isTrue();
    assertThat(ProofVerifier.verifyConsistency(3, 7, seven.root(4), seven.root(), consistency))
        .isFalse();
    assertThat(ProofVerifier.verifyConsistency(2, 7, seven.root(2), seven.root(), consistency))
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void anAppenderReadBackFromStorageContinuesTheSameTree(int tileHeight) {
    StoredTree whole = new StoredTree(tileHeight);
    for (int n = 0; n < 300; n++) {
      whole.append(MerkleHash.leaf(("leaf " + n).getBytes(StandardCharsets.UTF_8)));
    }
    for (int cut : new int[] {1, 7, 8, 9, 63, 64, 65, 200}) {
      StoredTree resumed = new StoredTree(tileHeight);
      for (int n = 0; n < cut; n++) {
        resumed.append(MerkleHash.leaf(("leaf " + n).getBytes(StandardCharsets.UTF_8)));
      }
      // A writer that restarts (or follows another writer) reads the right edge back.
      resumed.appender = TreeAppender.of(resumed.tree());
      for (int n = cut; n < 300; n++) {
        resumed.append(MerkleHash.leaf(("leaf " + n).getBytes(StandardCharsets.UTF_8)));
      }
      assertThat(resumed.tiles.keySet())
          .as("after a cut at %d", cut)
          .isEqualTo(whole.tiles.keySet());
      resumed.tiles.forEach(
          (key, hashes) -> assertThat(hashes).as("tile %s", key).isEqualTo(whole.tiles.get(key)));
      assertThat(resumed.tree().root()).isEqualTo(whole.tree().root());
    }
  }

  @Test
  void fullTilesAndTheNodesOfTheRightEdgeGiveTheSameHashes() {
    StoredTree stored = new StoredTree(2);
    for (int n = 0; n < 70; n++) {
      stored.append(MerkleHash.leaf(new byte[] {(byte) n}));
    }
    // 70 leaves in tiles of 4: 17 full tiles of leaves, 4 of level 2, 1 of level 4.
    assertThat(stored.tiles.keySet().stream().filter(k -> k.level() == 0)).hasSize(17);
    assertThat(stored.tiles.keySet().stream().filter(k -> k.level() == 2)).hasSize(4);
    assertThat(stored.tiles.keySet().stream().filter(k -> k.level() == 4)).hasSize(1);
    MerkleTree fromTiles = stored.tree();
    MerkleTree fromNodes = stored.treeWithoutTiles();
    assertThat(fromTiles.root()).isEqualTo(fromNodes.root());
    for (long m = 0; m < 70; m += 3) {
      assertThat(fromTiles.inclusionProof(m, 70))
          .containsExactlyElementsOf(fromNodes.inclusionProof(m, 70));
    }
  }

  @Test
  void theWriterEmitsExactlyTheStoredLevels() {
    Map<Integer, Integer> byLevel = new HashMap<>();
    CompactRange range = CompactRange.empty();
    for (int n = 0; n < 1024; n++) {
      range.append(
          MerkleHash.leaf(new byte[] {(byte) n}),
          (level, index, hash) -> byLevel.merge(level, 1, Integer::sum));
    }
    // 1024 leaves: 512 nodes at level 1, 256 at level 2, ..., 1 at level 10.
    for (int level = 1; level <= 10; level++) {
      assertThat(byLevel.get(level)).isEqualTo(1024 >> level);
    }
    assertThat(range.hashes()).hasSize(1);
  }

  private static MerkleTree tree(int size, int tileHeight) {
    return tree(leafHashes(size), size, tileHeight);
  }

  /** The tree as the writer stores it: leaf hashes, and the nodes at multiples of the height. */
  private static MerkleTree tree(byte[][] leaves, int size, int tileHeight) {
    StoredTree stored = new StoredTree(tileHeight);
    for (int n = 0; n < size; n++) {
      stored.append(leaves[n]);
    }
    return stored.tree();
  }

  private static byte[][] leafHashes(int size) {
    byte[][] hashes = new byte[size][];
    for (int n = 0; n < size; n++) {
      hashes[n] = MerkleHash.leaf(DATA[n]);
    }
    return hashes;
  }

  /**
   * Storage as the writer keeps it: every leaf hash and every node at a stored level (the right
   * edge is read from these), and each full tile.
   */
  static final class StoredTree {
    final int height;
    final Map<Integer, List<byte[]>> levels = new HashMap<>();
    final Map<TileKey, byte[]> tiles = new HashMap<>();
    TreeAppender appender;

    StoredTree(int height) {
      this.height = height;
      this.appender = TreeAppender.empty(height);
    }

    void append(byte[] leaf) {
      levels.computeIfAbsent(0, l -> new ArrayList<>()).add(leaf);
      appender.append(
          leaf,
          new TreeAppender.Sink() {
            @Override
            public void node(int level, long index, byte[] hash) {
              List<byte[]> nodes = levels.computeIfAbsent(level, l -> new ArrayList<>());
              assertThat(nodes).hasSize((int) index);
              nodes.add(hash);
            }

            @Override
            public void tile(int level, long index, byte[] hashes) {
              assertThat(tiles.put(new TileKey(level, index, 1 << height), hashes)).isNull();
            }
          });
    }

    MerkleTree tree() {
      return new MerkleTree(source(true), height, levels.get(0).size(), null);
    }

    MerkleTree treeWithoutTiles() {
      return new MerkleTree(source(false), height, levels.get(0).size(), null);
    }

    private TileSource source(boolean withTiles) {
      return keys -> {
        Map<TileKey, byte[]> found = new HashMap<>();
        for (TileKey key : keys) {
          if (withTiles && tiles.containsKey(key)) {
            found.put(key, tiles.get(key));
            continue;
          }
          List<byte[]> hashes = levels.getOrDefault(key.level(), List.of());
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          long first = key.first(height);
          for (long i = first; i < first + key.width() && i < hashes.size(); i++) {
            out.writeBytes(hashes.get((int) i));
          }
          found.put(key, out.toByteArray());
        }
        return found;
      };
    }
  }

  /** RFC 6962's definition, word for word: MTH(D[n]) = H(MTH(D[0:k]), MTH(D[k:n])). */
  private static byte[] reference(byte[][] leaves, int lo, long hi) {
    if (hi - lo == 1) {
      return leaves[lo];
    }
    int k = 1;
    while (k * 2L < hi - lo) {
      k *= 2;
    }
    return h(reference(leaves, lo, lo + k), reference(leaves, lo + k, hi));
  }

  private static byte[] h(byte[] left, byte[] right) {
    return MerkleHash.node(left, right);
  }
}

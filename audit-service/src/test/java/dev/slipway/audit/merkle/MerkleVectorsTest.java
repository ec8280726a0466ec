package dev.slipway.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log's Merkle code against the golden vectors it shares with the offline verifier
 * (audit-service/vectors/merkle.json, written from first principles by vectors/generate.py): RFC
 * 6962's test tree, and a 70,000-leaf tree across the stored levels 8 and 16. Every root, frontier,
 * audit path and consistency proof is the expected one exactly, each proof verifies, and a proof
 * with one bit changed does not.
 */
public class MerkleVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final JsonNode VECTORS = read("/vectors/merkle.json");

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 8})
  void theRfc6962TreeStoredInTilesOfAnyHeight(int height) {
    JsonNode rfc = VECTORS.get("rfc6962");
    MerkleTreeTest.StoredTree stored = new MerkleTreeTest.StoredTree(height);
    for (int i = 0; i < rfc.get("leaves").size(); i++) {
      byte[] leaf = MerkleHash.leaf(HEX.parseHex(rfc.get("leaves").get(i).asText()));
      assertThat(HEX.formatHex(leaf)).isEqualTo(rfc.get("leafHashes").get(i).asText());
      stored.append(leaf);
    }
    check(stored.tree(), rfc);
  }

  @Test
  void aTreeAcrossTheStoredLevels() {
    JsonNode tiles = VECTORS.get("tiles");
    MerkleTreeTest.StoredTree stored = new MerkleTreeTest.StoredTree(8);
    for (int i = 0; i < tiles.get("leafCount").asInt(); i++) {
      stored.append(MerkleHash.leaf(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
    }
    check(stored.tree(), tiles);
    check(stored.treeWithoutTiles(), tiles);
  }

  private static void check(MerkleTree tree, JsonNode vectors) {
    for (JsonNode root : vectors.get("roots")) {
      long size = root.get("size").asLong();
      assertThat(HEX.formatHex(tree.root(size)))
          .as("root of %d", size)
          .isEqualTo(text(root, "root"));
    }
    for (JsonNode frontier : vectors.get("frontiers")) {
      long size = frontier.get("size").asLong();
      assertThat(tree.frontier(size).hashes().stream().map(HEX::formatHex))
          .as("frontier of %d", size)
          .containsExactlyElementsOf(texts(frontier.get("hashes")));
    }
    for (JsonNode inclusion : vectors.get("inclusion")) {
      long index = inclusion.get("index").asLong();
      long size = inclusion.get("size").asLong();
      List<byte[]> path = tree.inclusionProof(index, size);
      assertThat(path.stream().map(HEX::formatHex))
          .as("path of %d in %d", index, size)
          .containsExactlyElementsOf(texts(inclusion.get("path")));
      byte[] root = tree.root(size);
      assertThat(ProofVerifier.rootFromInclusion(index, size, tree.leaf(index), path))
          .isEqualTo(root);
      for (int i = 0; i < path.size(); i++) {
        assertThat(ProofVerifier.rootFromInclusion(index, size, tree.leaf(index), flipped(path, i)))
            .as("path of %d in %d with hash %d changed", index, size, i)
            .isNotEqualTo(root);
      }
    }
    for (JsonNode consistency : vectors.get("consistency")) {
      long first = consistency.get("first").asLong();
      long second = consistency.get("second").asLong();
      List<byte[]> proof = tree.consistencyProof(first, second);
      assertThat(proof.stream().map(HEX::formatHex))
          .as("consistency %d -> %d", first, second)
          .containsExactlyElementsOf(texts(consistency.get("proof")));
      byte[] firstRoot = tree.root(first);
      byte[] secondRoot = tree.root(second);
      assertThat(ProofVerifier.verifyConsistency(first, second, firstRoot, secondRoot, proof))
          .as("consistency %d -> %d verifies", first, second)
          .isTrue();
      for (int i = 0; i < proof.size(); i++) {
        assertThat(
                ProofVerifier.verifyConsistency(
                    first, second, firstRoot, secondRoot, flipped(proof, i)))
            .isFalse();
      }
    }
  }

  private static List<byte[]> flipped(List<byte[]> hashes, int which) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < hashes.size(); i++) {
      byte[] hash = hashes.get(i).clone();
      if (i == which) {
        hash[7] ^= 0x10;
      }
      out.add(hash);
    }
    return out;
  }

  private static String text(JsonNode node, String field) {
    return node.get(field).asText();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** A vectors file from the test class path (audit-service/vectors). */
  public static JsonNode read(String resource) {
    try (InputStream in = MerkleVectorsTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the test class path");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.slipway.launcher.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The offline verifier against the golden vectors the log's own code is checked against
 * (audit-service/vectors): its Merkle arithmetic gives every root and frontier of the RFC 6962 tree
 * and of a 70,000-leaf tree, and an export made of the vector rows verifies against the vectors'
 * signed checkpoint, from row 1 or from a later row on the trailer's prefix, while a row changed by
 * one character does not.
 */
class AuditVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void rootsAndFrontiersOfTheRfc6962Tree() {
    JsonNode rfc = read("/vectors/merkle.json").get("rfc6962");
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < rfc.get("leaves").size(); i++) {
      byte[] leaf = MerkleRoots.leaf(HEX.parseHex(rfc.get("leaves").get(i).asText()));
      assertThat(HEX.formatHex(leaf)).isEqualTo(rfc.get("leafHashes").get(i).asText());
      leaves.add(leaf);
    }
    checkRootsAndFrontiers(rfc, leaves);
  }

  @Test
  void rootsAndFrontiersOfATreeAcrossTheStoredLevels() {
    JsonNode tiles = read("/vectors/merkle.json").get("tiles");
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < tiles.get("leafCount").asInt(); i++) {
      leaves.add(MerkleRoots.leaf(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
    }
    checkRootsAndFrontiers(tiles, leaves);
  }

  @Test
  void anExportOfTheVectorRowsVerifiesAgainstTheSignedCheckpoint() throws IOException {
    JsonNode vectors = read("/vectors/rows.json");
    ExportVerifier.Result result = verify(vectors, export(vectors, 1, null));
    assertThat(result.findings()).last().asString().contains("signed checkpoint at 4 rows");
    assertThat(result.ok()).isTrue();
    assertThat(result.rows()).isEqualTo(4);
  }

  @Test
  void anExportFromALaterRowVerifiesOnTheTrailersPrefix() throws IOException {
    JsonNode vectors = read("/vectors/rows.json");
    List<byte[]> prefix = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      MerkleRoots.push(
          prefix, i, HEX.parseHex(vectors.get("rows").get(i).get("leafHash").asText()));
    }
    ExportVerifier.Result result = verify(vectors, export(vectors, 3, prefix));
    assertThat(result.ok()).as("%s", result.findings()).isTrue();
    assertThat(result.rows()).isEqualTo(2);
  }

  @Test
  void aRowChangedByOneCharacterIsFound() throws IOException {
    JsonNode vectors = read("/vectors/rows.json");
    String export = export(vectors, 1, null).replace("\"actor\":\"ada\"", "\"actor\":\"eve\"");
    ExportVerifier.Result result = verify(vectors, export);
    assertThat(result.ok()).isFalse();
    assertThat(result.findings()).last().asString().contains("row 1 was changed");
  }

  private static void checkRootsAndFrontiers(JsonNode vectors, List<byte[]> leaves) {
    byte[] all = concat(leaves);
    for (JsonNode root : vectors.get("roots")) {
      long size = root.get("size").asLong();
      assertThat(HEX.formatHex(MerkleRoots.root(all, 0, size)))
          .as("root of %d", size)
          .isEqualTo(root.get("root").asText());
    }
    for (JsonNode frontier : vectors.get("frontiers")) {
      long size = frontier.get("size").asLong();
      List<byte[]> pushed = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        MerkleRoots.push(pushed, i, leaves.get(i));
      }
      assertThat(pushed.stream().map(HEX::formatHex))
          .as("frontier of %d", size)
          .containsExactlyElementsOf(texts(frontier.get("hashes")));
      // A prefix carried as its frontier, then the leaves after it, give the whole tree's root.
      List<byte[]> carried = new ArrayList<>();
      frontier.get("hashes").forEach(h -> carried.add(HEX.parseHex(h.asText())));
      for (int i = (int) size; i < leaves.size(); i++) {
        MerkleRoots.push(carried, i, leaves.get(i));
      }
      assertThat(MerkleRoots.fold(carried)).isEqualTo(MerkleRoots.root(all, 0, leaves.size()));
    }
  }

  /** An NDJSON export of the vector rows from {@code firstSeq}, with its trailer. */
  private static String export(JsonNode vectors, int firstSeq, List<byte[]> prefix) {
    StringBuilder out = new StringBuilder();
    List<byte[]> leaves = new ArrayList<>();
    JsonNode rows = vectors.get("rows");
    for (int i = firstSeq - 1; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      String line = row.get("line").asText();
      out.append(line, 0, line.length() - 1)
          .append(",\"leafHash\":\"")
          .append(row.get("leafHash").asText())
          .append("\",\"prevHash\":\"")
          .append(row.get("prevHash").asText())
          .append("\",\"hash\":\"")
          .append(row.get("hash").asText())
          .append("\"}\n");
      leaves.add(HEX.parseHex(row.get("leafHash").asText()));
    }
    int count = leaves.size();
    out.append("{\"trailer\":{\"rows\":")
        .append(count)
        .append(",\"firstSeq\":")
        .append(firstSeq)
        .append(",\"lastSeq\":")
        .append(firstSeq + count - 1)
        .append(",\"contiguous\":true,\"logSize\":")
        .append(rows.size())
        .append(",\"rangeRoot\":\"")
        .append(HEX.formatHex(MerkleRoots.root(concat(leaves), 0, count)))
        .append('"');
    if (prefix != null) {
      out.append(",\"prefix\":{\"treeSize\":").append(firstSeq - 1).append(",\"frontier\":[");
      for (int i = 0; i < prefix.size(); i++) {
        out.append(i > 0 ? "," : "").append('"').append(HEX.formatHex(prefix.get(i))).append('"');
      }
      out.append("]}");
    }
    return out.append("}}\n").toString();
  }

  private static ExportVerifier.Result verify(JsonNode vectors, String export) throws IOException {
    JsonNode checkpoint = vectors.get("checkpoint");
    return new ExportVerifier()
        .verify(
            new BufferedReader(new StringReader(export)),
            CheckpointNote.read(
                checkpoint.get("note").asText(), checkpoint.get("verifierKey").asText()));
  }

  private static byte[] concat(List<byte[]> hashes) {
    byte[] out = new byte[hashes.size() * 32];
    for (int i = 0; i < hashes.size(); i++) {
      System.arraycopy(hashes.get(i), 0, out, i * 32, 32);
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode read(String resource) {
    try (InputStream in = AuditVectorsTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the test class path");
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

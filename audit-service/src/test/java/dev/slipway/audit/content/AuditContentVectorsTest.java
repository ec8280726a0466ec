package dev.slipway.audit.content;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.checkpoint.SignedNote;
import dev.slipway.audit.merkle.CompactRange;
import dev.slipway.audit.merkle.MerkleVectorsTest;
import dev.slipway.audit.service.AuditExportFormat;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The canonical content of rows against the golden vectors the offline verifier checks too
 * (audit-service/vectors/rows.json): each row, as an export line holds it, gives exactly the
 * content written out in the vector and its hashes; the service's own export of the row has the
 * members the verifier reads; and the log's checkpoint of the rows is the vector's signed note to
 * the byte.
 */
class AuditContentVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final JsonNode VECTORS = MerkleVectorsTest.read("/vectors/rows.json");

  @Test
  void eachRowGivesItsContentAndHashes() throws Exception {
    CompactRange tree = CompactRange.empty();
    byte[] prev = AuditContent.GENESIS;
    for (JsonNode vector : VECTORS.get("rows")) {
      AuditEvent row = row(CanonicalJson.mapper().readTree(vector.get("line").asText()));
      assertThat(AuditContent.content(row)).isEqualTo(vector.get("content").asText());
      byte[] leaf = AuditContent.leafHash(row);
      assertThat(HEX.formatHex(leaf)).isEqualTo(vector.get("leafHash").asText());
      assertThat(HEX.formatHex(prev)).isEqualTo(vector.get("prevHash").asText());
      prev = AuditContent.chainHash(prev, leaf);
      assertThat(HEX.formatHex(prev)).isEqualTo(vector.get("hash").asText());
      tree.append(leaf);
    }
    assertThat(HEX.formatHex(tree.root())).isEqualTo(VECTORS.get("rangeRoot").asText());
  }

  @Test
  void theExportOfARowHasTheMembersTheVerifierReads() throws Exception {
    for (JsonNode vector : VECTORS.get("rows")) {
      JsonNode line = CanonicalJson.mapper().readTree(vector.get("line").asText());
      JsonNode exported = CanonicalJson.mapper().readTree(AuditExportFormat.NDJSON.line(row(line)));
      Set<String> expected = names(line);
      expected.addAll(List.of("leafHash", "prevHash", "hash"));
      assertThat(names(exported)).isEqualTo(expected);
      // The export writes the canonical form of what is stored: the same content.
      assertThat(AuditContent.content(row(exported))).isEqualTo(vector.get("content").asText());
    }
  }

  @Test
  void theCheckpointOfTheRowsIsTheSignedNoteOfTheVector() {
    JsonNode checkpoint = VECTORS.get("checkpoint");
    SignedNote.Signer signer = SignedNote.signer(checkpoint.get("privateKey").asText());
    assertThat(signer.verifierKey()).isEqualTo(checkpoint.get("verifierKey").asText());
    String note =
        SignedNote.sign(
            SignedNote.checkpointText(
                "slipway.dev/audit", 4, HEX.parseHex(VECTORS.get("rangeRoot").asText())),
            signer);
    assertThat(note).isEqualTo(checkpoint.get("note").asText());
    SignedNote.CheckpointText opened =
        SignedNote.open(
            checkpoint.get("note").asText(),
            SignedNote.Verifier.parse(checkpoint.get("verifierKey").asText()));
    assertThat(opened.treeSize()).isEqualTo(4);
    assertThat(HEX.formatHex(opened.rootHash())).isEqualTo(VECTORS.get("rangeRoot").asText());
  }

  /** A row from an export line, each member read as the log's row mapping reads its column. */
  static AuditEvent row(JsonNode line) {
    return AuditColumn.row(
        column -> {
          JsonNode value = line.get(exportName(column));
          if (value == null || value.isNull()) {
            return null;
          }
          return switch (column.kind()) {
            case BIGINT -> value.asLong();
            case INTEGER -> value.asInt();
            case BOOLEAN -> value.asBoolean();
            case TIMESTAMP -> OffsetDateTime.parse(value.asText());
            case JSON -> value;
            default -> value.asText();
          };
        });
  }

  /** The export's member name of a column (the API's row fields). */
  private static String exportName(AuditColumn column) {
    return switch (column) {
      case KAFKA_PARTITION -> "partition";
      case KAFKA_OFFSET -> "offset";
      case RECORD_KEY -> "key";
      default -> camel(column.sql());
    };
  }

  private static String camel(String sql) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (char c : sql.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  private static Set<String> names(JsonNode node) {
    Set<String> out = new TreeSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }
}

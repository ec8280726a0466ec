package dev.slipway.launcher.audit;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * Checks an NDJSON export of the audit log against a checkpoint with no database, re-deriving
 * everything from the rows as the service's README defines it (this code shares nothing with the
 * service): each row's canonical content gives its leaf hash, each leaf hash and the previous row's
 * hash give its chain hash, the rows are gapless, the trailer's range root is the Merkle root of
 * the rows, the export is complete (it has its trailer), and the rows (after the trailer's prefix
 * when the export does not start at row 1) give the root the signed checkpoint states.
 */
public final class ExportVerifier {

  /** Columns of the canonical content, in order, as the export names them. */
  private static final List<String> CONTENT =
      List.of(
          "topic",
          "topicId",
          "partition",
          "offset",
          "key",
          "eventId",
          "type",
          "source",
          "application",
          "runId",
          "causationId",
          "commitSha",
          "environment",
          "actor",
          "status",
          "eventTime",
          "quarantined",
          "problem",
          "event",
          "headers",
          "seq",
          "recordedAt",
          "conflictOf");

  private static final int MAX_DIGITS = 1000;
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] ZEROS = new byte[32];

  private final ObjectMapper json;

  public ExportVerifier() {
    json =
        JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();
    json.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNumberLength(4 * MAX_DIGITS)
                .maxStringLength(Integer.MAX_VALUE)
                .build());
  }

  /**
   * The outcome.
   *
   * @param ok whether everything checked out
   * @param rows rows read
   * @param findings what was checked, and the first failure when there is one
   */
  public record Result(boolean ok, long rows, List<String> findings) {}

  /** Verifies the export read from {@code export} against {@code checkpoint}. */
  public Result verify(BufferedReader export, CheckpointNote checkpoint) throws IOException {
    List<String> findings = new ArrayList<>();
    ByteArrayOutputStream leaves = new ByteArrayOutputStream();
    JsonNode trailer = null;
    byte[] prev = null;
    long expected = -1;
    long first = -1;
    long rows = 0;
    String line;
    int lineNumber = 0;
    while ((line = export.readLine()) != null) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      if (trailer != null) {
        return failed(findings, rows, "line " + lineNumber + " comes after the trailer");
      }
      JsonNode node;
      try {
        node = json.readTree(line);
      } catch (IOException e) {
        return failed(findings, rows, "line " + lineNumber + " is not JSON: " + e.getMessage());
      }
      if (node.has("trailer")) {
        trailer = node.get("trailer");
        continue;
      }
      long seq = node.path("seq").asLong(-1);
      if (expected >= 0 && seq != expected) {
        return failed(
            findings, rows, "row " + expected + " is missing (the next row is " + seq + ")");
      }
      if (first < 0) {
        first = seq;
      }
      byte[] leaf;
      try {
        leaf = leafHash(node);
      } catch (IllegalArgumentException e) {
        return failed(findings, rows, "row " + seq + ": " + e.getMessage());
      }
      if (!HEX.formatHex(leaf).equals(node.path("leafHash").asText())) {
        return failed(
            findings, rows, "row " + seq + " was changed: its content does not give its leaf hash");
      }
      byte[] prevHash = HEX.parseHex(node.path("prevHash").asText());
      if (prev == null && seq == 1 && !Arrays.equals(prevHash, ZEROS)) {
        return failed(findings, rows, "row 1 does not start the chain");
      }
      if (prev != null && !Arrays.equals(prevHash, prev)) {
        return failed(findings, rows, "row " + seq + " does not link to the row before it");
      }
      byte[] hash = MerkleRoots.sha256(prevHash, leaf);
      if (!HEX.formatHex(hash).equals(node.path("hash").asText())) {
        return failed(findings, rows, "row " + seq + " has a chain hash its leaf does not give");
      }
      leaves.write(leaf);
      prev = hash;
      expected = seq + 1;
      rows++;
    }
    if (trailer == null) {
      return failed(findings, rows, "the export has no trailer: it was cut off");
    }
    findings.add("rows: " + rows + " checked, content, chain and order intact");
    byte[] all = leaves.toByteArray();
    if (trailer.path("rows").asLong() != rows) {
      return failed(
          findings,
          rows,
          "the trailer counts " + trailer.path("rows").asLong() + " rows, the export has " + rows);
    }
    if (!HEX.formatHex(MerkleRoots.root(all, 0, rows)).equals(trailer.path("rangeRoot").asText())) {
      return failed(findings, rows, "the rows do not give the trailer's range root");
    }
    findings.add("trailer: range root matches");
    if (checkpoint == null) {
      return new Result(true, rows, findings);
    }
    String signature = checkpoint.signatureChecked() ? "signed" : "UNSIGNED (no key given)";
    long size = checkpoint.treeSize();
    long last = rows == 0 ? 0 : first + rows - 1;
    if (rows > 0 && !trailer.path("contiguous").asBoolean()) {
      return failed(
          findings, rows, "an event-time filtered export cannot be checked against a checkpoint");
    }
    if (size > last) {
      return failed(
          findings,
          rows,
          "the "
              + signature
              + " checkpoint covers "
              + size
              + " rows but the export ends at row "
              + last
              + ": rows "
              + (last + 1)
              + ".."
              + size
              + " are missing (a truncated tail or a partial export)");
    }
    List<byte[]> frontier = new ArrayList<>();
    long before = 0;
    if (rows > 0 && first > 1) {
      JsonNode prefix = trailer.path("prefix");
      before = prefix.path("treeSize").asLong(-1);
      if (before != first - 1) {
        return failed(findings, rows, "the trailer has no prefix for an export from row " + first);
      }
      if (size < before) {
        return failed(findings, rows, "the checkpoint (" + size + " rows) precedes the export");
      }
      for (JsonNode h : prefix.path("frontier")) {
        frontier.add(HEX.parseHex(h.asText()));
      }
      if (frontier.size() != Long.bitCount(before)) {
        return failed(findings, rows, "the trailer's prefix is malformed");
      }
    }
    // The prefix is not trusted: a forged one cannot fold with these rows into a signed root.
    for (long i = 0; i < size - before; i++) {
      MerkleRoots.push(
          frontier, before + i, Arrays.copyOfRange(all, (int) (i * 32), (int) (i * 32 + 32)));
    }
    byte[] root = MerkleRoots.fold(frontier);
    if (!Arrays.equals(root, checkpoint.rootHash())) {
      return failed(
          findings,
          rows,
          "the rows do not give the root of the "
              + signature
              + " checkpoint at "
              + size
              + " rows: history was rewritten");
    }
    findings.add(
        "checkpoint: the rows give the root of the "
            + signature
            + " checkpoint at "
            + size
            + " rows");
    return new Result(checkpoint.signatureChecked(), rows, findings);
  }

  private static Result failed(List<String> findings, long rows, String why) {
    List<String> all = new ArrayList<>(findings);
    all.add("FAILED: " + why);
    return new Result(false, rows, all);
  }

  /** SHA-256(0x00 || canonical content of the row). */
  private static byte[] leafHash(JsonNode row) {
    StringBuilder out = new StringBuilder(1024).append('[');
    for (int i = 0; i < CONTENT.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      String name = CONTENT.get(i);
      JsonNode value = row.get(name);
      if (value == null || value.isNull()) {
        out.append("null");
      } else if (name.equals("recordedAt") || name.equals("eventTime")) {
        OffsetDateTime time = OffsetDateTime.parse(value.asText());
        out.append(
            Math.addExact(
                Math.multiplyExact(time.toEpochSecond(), 1_000_000L), time.getNano() / 1_000));
      } else {
        canonical(value, out);
      }
    }
    out.append(']');
    return MerkleRoots.leaf(out.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void canonical(JsonNode node, StringBuilder out) {
    if (node == null || node.isNull()) {
      out.append("null");
    } else if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      out.append('{');
      for (Iterator<String> it = names.iterator(); it.hasNext(); ) {
        String name = it.next();
        string(name, out);
        out.append(':');
        canonical(node.get(name), out);
        if (it.hasNext()) {
          out.append(',');
        }
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        canonical(node.get(i), out);
      }
      out.append(']');
    } else if (node.isNumber()) {
      BigDecimal d = node.decimalValue();
      if (d.signum() == 0) {
        out.append('0');
        return;
      }
      BigDecimal stripped = d.stripTrailingZeros();
      // Bounded first: the plain form of 1e2000000000 would not fit in memory.
      if (stripped.precision() > MAX_DIGITS || Math.abs((long) stripped.scale()) > MAX_DIGITS) {
        throw new IllegalArgumentException("holds a number the log never stores");
      }
      out.append(stripped.toPlainString());
    } else if (node.isBoolean()) {
      out.append(node.booleanValue());
    } else {
      string(node.asText(), out);
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}

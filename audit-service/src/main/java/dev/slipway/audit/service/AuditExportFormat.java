package dev.slipway.audit.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.content.CanonicalJson;
import dev.slipway.events.EventJson;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * The line formats of an export. NDJSON: one row per line as the API returns it, then a trailer
 * line. CSV (RFC 4180) for spreadsheets: a header of the column names, one row per line; an absent
 * value is an empty field and any present value is quoted, so {@code ""} is an empty text and
 * nothing is null; a text that a spreadsheet would run as a formula (it starts with {@code =},
 * {@code +}, {@code -}, {@code @}, a tab or a carriage return) gets a leading apostrophe.
 */
public enum AuditExportFormat {
  NDJSON("ndjson", "jsonl"),
  CSV("csv", "csv");

  /** Media type of NDJSON. */
  public static final String NDJSON_TYPE = "application/x-ndjson";

  /** Media type of CSV. */
  public static final String CSV_TYPE = "text/csv";

  private final String name;
  private final String extension;

  AuditExportFormat(String name, String extension) {
    this.name = name;
    this.extension = extension;
  }

  /** The format named {@code name} in a request, ndjson when none is named. */
  public static Optional<AuditExportFormat> of(String name) {
    if (name == null) {
      return Optional.of(NDJSON);
    }
    for (AuditExportFormat format : values()) {
      if (format.name.equals(name)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }

  /** The response media type. */
  public String mediaType() {
    return this == NDJSON ? NDJSON_TYPE : CSV_TYPE + "; charset=utf-8";
  }

  /** File name extension of a download. */
  public String extension() {
    return extension;
  }

  /** Lines before the rows. */
  public List<String> header() {
    return this == NDJSON
        ? List.of()
        : List.of(
            String.join(",", AuditColumn.ALL.stream().map(AuditColumn::sql).toList()) + "\r\n");
  }

  /** One row as one line, line end included. */
  public String line(AuditEvent e) {
    return this == NDJSON ? json(e) + "\n" : csv(e) + "\r\n";
  }

  /** The trailer line, for formats that have one; null for CSV. */
  public String trailer(ExportTrailer trailer) {
    if (this != NDJSON) {
      return null;
    }
    return json(new ExportTrailer.Line(trailer)) + "\n";
  }

  private static String json(Object value) {
    try {
      return EventJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write an export line", ex);
    }
  }

  private static String csv(AuditEvent e) {
    StringBuilder line = new StringBuilder(1024);
    for (AuditColumn column : AuditColumn.ALL) {
      if (column != AuditColumn.SEQ) {
        line.append(',');
      }
      Object value = column.of(e);
      if (value == null) {
        continue;
      }
      String text =
          switch (column.kind()) {
            case TIMESTAMP -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format((OffsetDateTime) value);
            case JSON -> CanonicalJson.write((JsonNode) value);
            case TEXT -> neutralized((String) value);
            default -> value.toString();
          };
      line.append('"').append(text.replace("\"", "\"\"")).append('"');
    }
    return line.toString();
  }

  /** A text a spreadsheet would evaluate, made inert by a leading apostrophe. */
  static String neutralized(String text) {
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      return "'" + text;
    }
    return text;
  }
}

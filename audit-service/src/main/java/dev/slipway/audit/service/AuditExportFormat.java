package dev.slipway.audit.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.AuditRecord;
import dev.slipway.events.EventJson;
import java.util.List;
import java.util.Optional;

/** The line formats of an export: one JSON object per line, or RFC 4180 CSV with a header. */
public enum AuditExportFormat {
  NDJSON("ndjson", "jsonl"),
  CSV("csv", "csv");

  /** Media type of NDJSON. */
  public static final String NDJSON_TYPE = "application/x-ndjson";

  /** Media type of CSV. */
  public static final String CSV_TYPE = "text/csv";

  private static final List<String> CSV_COLUMNS =
      List.of(
          "seq",
          "recorded_at",
          "event_time",
          "topic",
          "partition",
          "offset",
          "key",
          "event_id",
          "type",
          "source",
          "application",
          "run_id",
          "causation_id",
          "commit_sha",
          "environment",
          "actor",
          "status",
          "problem",
          "event",
          "headers",
          "prev_hash",
          "hash");

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
    return this == NDJSON ? List.of() : List.of(String.join(",", CSV_COLUMNS) + "\r\n");
  }

  /** One row as one line, line end included. */
  public String line(AuditEvent e) {
    return this == NDJSON ? json(e) + "\n" : csv(e) + "\r\n";
  }

  private static String json(AuditEvent e) {
    try {
      return EventJson.mapper().writeValueAsString(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write audit row " + e.seq(), ex);
    }
  }

  private static String csv(AuditEvent e) {
    AuditRecord r = e.record();
    Object[] values = {
      e.seq(),
      e.recordedAt(),
      r.eventTime(),
      r.topic(),
      r.partition(),
      r.offset(),
      r.key(),
      r.eventId(),
      r.type(),
      r.source(),
      r.application(),
      r.runId(),
      r.causationId(),
      r.commitSha(),
      r.environment(),
      r.actor(),
      r.status(),
      r.problem(),
      r.event() == null ? null : CanonicalJson.write(r.event()),
      r.headers() == null ? null : CanonicalJson.write(r.headers()),
      e.prevHash(),
      e.hash()
    };
    StringBuilder line = new StringBuilder(512);
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        line.append(',');
      }
      if (values[i] != null) {
        line.append(quoted(values[i].toString()));
      }
    }
    return line.toString();
  }

  private static String quoted(String value) {
    boolean plain = value.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
    return plain ? value : '"' + value.replace("\"", "\"\"") + '"';
  }
}

package dev.slipway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Stream;

/**
 * The columns of an audit row, listed once: every SELECT, the row mapping, the bulk insert, the
 * canonical content that is hashed and the CSV export follow this list. The canonical content is
 * the {@link #BODY} (known when the record is read) then the {@link #POSITION} (known only once the
 * row has its place in the log), so the body can be hashed before the append lock is taken.
 */
public enum AuditColumn {
  SEQ("seq", Kind.BIGINT),
  RECORDED_AT("recorded_at", Kind.TIMESTAMP),
  CONFLICT_OF("conflict_of", Kind.BIGINT),
  TOPIC("topic", Kind.TEXT),
  TOPIC_ID("topic_id", Kind.UUID),
  KAFKA_PARTITION("kafka_partition", Kind.INTEGER),
  KAFKA_OFFSET("kafka_offset", Kind.BIGINT),
  RECORD_KEY("record_key", Kind.TEXT),
  EVENT_ID("event_id", Kind.TEXT),
  TYPE("type", Kind.TEXT),
  SOURCE("source", Kind.TEXT),
  APPLICATION("application", Kind.TEXT),
  RUN_ID("run_id", Kind.TEXT),
  CAUSATION_ID("causation_id", Kind.TEXT),
  COMMIT_SHA("commit_sha", Kind.TEXT),
  ENVIRONMENT("environment", Kind.TEXT),
  ACTOR("actor", Kind.TEXT),
  STATUS("status", Kind.TEXT),
  EVENT_TIME("event_time", Kind.TIMESTAMP),
  QUARANTINED("quarantined", Kind.BOOLEAN),
  PROBLEM("problem", Kind.TEXT),
  EVENT("event", Kind.JSON),
  HEADERS("headers", Kind.JSON),
  LEAF_HASH("leaf_hash", Kind.HASH),
  PREV_HASH("prev_hash", Kind.HASH),
  HASH("hash", Kind.HASH);

  /** How a column is stored and written. */
  public enum Kind {
    BIGINT,
    INTEGER,
    TEXT,
    UUID,
    TIMESTAMP,
    BOOLEAN,
    JSON,
    HASH
  }

  /** Every column, in order. */
  public static final List<AuditColumn> ALL = List.of(values());

  /** The columns that give a row its place: hashed first, known only under the append lock. */
  public static final List<AuditColumn> POSITION = List.of(SEQ, RECORDED_AT, CONFLICT_OF);

  /** The hashed columns that come from the record itself, in content order. */
  public static final List<AuditColumn> BODY = ALL.subList(TOPIC.ordinal(), LEAF_HASH.ordinal());

  /** The hashed columns, in content order: the body, then the position. */
  public static final List<AuditColumn> CONTENT =
      Stream.concat(BODY.stream(), POSITION.stream()).toList();

  /** The hashes, which follow the content in the bulk insert. */
  public static final List<AuditColumn> HASHES = List.of(LEAF_HASH, PREV_HASH, HASH);

  /** Every column name, comma-separated, in order. */
  public static final String NAMES = String.join(", ", ALL.stream().map(c -> c.sql).toList());

  /**
   * A SELECT list of every column in order, JSON as text (so numbers are read back exactly) and
   * hashes as hex.
   */
  public static final String SELECT_LIST =
      String.join(", ", ALL.stream().map(AuditColumn::selectExpression).toList());

  private final String sql;
  private final Kind kind;

  AuditColumn(String sql, Kind kind) {
    this.sql = sql;
    this.kind = kind;
  }

  /** The column's name in SQL and in the CSV header. */
  public String sql() {
    return sql;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * This column's value in {@code row}: Long, Integer, String, OffsetDateTime, Boolean, JsonNode.
   */
  public Object of(AuditEvent row) {
    AuditRecord r = row.record();
    return switch (this) {
      case SEQ -> row.seq();
      case RECORDED_AT -> row.recordedAt();
      case CONFLICT_OF -> row.conflictOf();
      case LEAF_HASH -> row.leafHash();
      case PREV_HASH -> row.prevHash();
      case HASH -> row.hash();
      default -> of(r);
    };
  }

  /** This column's value in {@code r}; null for the position and hash columns. */
  public Object of(AuditRecord r) {
    return switch (this) {
      case TOPIC -> r.topic();
      case TOPIC_ID -> r.topicId();
      case KAFKA_PARTITION -> r.partition();
      case KAFKA_OFFSET -> r.offset();
      case RECORD_KEY -> r.key();
      case EVENT_ID -> r.eventId();
      case TYPE -> r.type();
      case SOURCE -> r.source();
      case APPLICATION -> r.application();
      case RUN_ID -> r.runId();
      case CAUSATION_ID -> r.causationId();
      case COMMIT_SHA -> r.commitSha();
      case ENVIRONMENT -> r.environment();
      case ACTOR -> r.actor();
      case STATUS -> r.status();
      case EVENT_TIME -> r.eventTime();
      case QUARANTINED -> r.quarantined();
      case PROBLEM -> r.problem();
      case EVENT -> r.event();
      case HEADERS -> r.headers();
      default -> null;
    };
  }

  /** A row from its column values, each of the type {@link #of(AuditEvent)} returns. */
  public static AuditEvent row(Values v) {
    AuditRecord record =
        new AuditRecord(
            (String) v.get(TOPIC),
            (String) v.get(TOPIC_ID),
            (Integer) v.get(KAFKA_PARTITION),
            (Long) v.get(KAFKA_OFFSET),
            (String) v.get(RECORD_KEY),
            (String) v.get(EVENT_ID),
            (String) v.get(TYPE),
            (String) v.get(SOURCE),
            (String) v.get(APPLICATION),
            (String) v.get(RUN_ID),
            (String) v.get(CAUSATION_ID),
            (String) v.get(COMMIT_SHA),
            (String) v.get(ENVIRONMENT),
            (String) v.get(ACTOR),
            (String) v.get(STATUS),
            (OffsetDateTime) v.get(EVENT_TIME),
            (Boolean) v.get(QUARANTINED),
            (String) v.get(PROBLEM),
            (JsonNode) v.get(EVENT),
            (JsonNode) v.get(HEADERS));
    return new AuditEvent(
        (Long) v.get(SEQ),
        (OffsetDateTime) v.get(RECORDED_AT),
        (Long) v.get(CONFLICT_OF),
        record,
        (String) v.get(LEAF_HASH),
        (String) v.get(PREV_HASH),
        (String) v.get(HASH));
  }

  /** Column values of one row being read, by column. */
  @FunctionalInterface
  public interface Values {
    Object get(AuditColumn column);
  }

  private String selectExpression() {
    return switch (kind) {
      case JSON -> sql + "::text AS " + sql;
      case HASH -> "encode(" + sql + ", 'hex') AS " + sql;
      case UUID -> sql + "::text AS " + sql;
      default -> sql;
    };
  }
}

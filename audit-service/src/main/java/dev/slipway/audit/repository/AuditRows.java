package dev.slipway.audit.repository;

import dev.slipway.audit.AuditColumn;
import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.content.CanonicalJson;
import io.vertx.mutiny.sqlclient.Row;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Maps a row selected with {@link AuditColumn#SELECT_LIST} to an {@link AuditEvent}, from JDBC or
 * from the reactive client, its JSON read back exactly.
 */
public final class AuditRows {

  /** {@code SELECT <every column> FROM audit_events}. */
  public static final String SELECT = "SELECT " + AuditColumn.SELECT_LIST + " FROM audit_events";

  private AuditRows() {}

  /** The current row of {@code rs}, selected with {@link #SELECT}. */
  public static AuditEvent event(ResultSet rs) throws SQLException {
    Object[] values = new Object[AuditColumn.ALL.size()];
    for (AuditColumn column : AuditColumn.ALL) {
      int i = column.ordinal() + 1;
      Object value =
          switch (column.kind()) {
            case BIGINT -> rs.getLong(i);
            case INTEGER -> rs.getInt(i);
            case BOOLEAN -> rs.getBoolean(i);
            case TIMESTAMP -> utc(rs.getObject(i, OffsetDateTime.class));
            case JSON -> json(rs.getString(i));
            case TEXT, UUID, HASH -> rs.getString(i);
          };
      values[column.ordinal()] = rs.wasNull() ? null : value;
    }
    return AuditColumn.row(column -> values[column.ordinal()]);
  }

  /** A row of the reactive client, selected with {@link #SELECT}. */
  public static AuditEvent event(Row row) {
    return AuditColumn.row(
        column ->
            switch (column.kind()) {
              case BIGINT -> row.getLong(column.sql());
              case INTEGER -> row.getInteger(column.sql());
              case BOOLEAN -> row.getBoolean(column.sql());
              case TIMESTAMP -> utc(row.getOffsetDateTime(column.sql()));
              case JSON -> json(row.getString(column.sql()));
              case TEXT, UUID, HASH -> row.getString(column.sql());
            });
  }

  private static Object json(String text) {
    return text == null ? null : CanonicalJson.parse(text);
  }

  private static OffsetDateTime utc(OffsetDateTime time) {
    return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC);
  }
}

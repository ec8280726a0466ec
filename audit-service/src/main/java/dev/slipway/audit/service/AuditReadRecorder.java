package dev.slipway.audit.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.content.CanonicalJson;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.events.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Records who read the audit log in bulk: every export and every verification appends an {@code
 * audit.read} row, chained like any other, naming the caller as the token identified them, before
 * anything is served. If the row cannot be written nothing is served.
 */
@ApplicationScoped
public class AuditReadRecorder {

  /** The topic name of the rows this service writes about reads of itself. */
  public static final String TOPIC = "audit.read";

  /** Their CloudEvents type. */
  public static final String TYPE = "dev.slipway.audit.read.v1";

  /** Their CloudEvents source. */
  public static final String SOURCE = "/slipway/audit-service";

  private final AuditStoreWriter writer;

  public AuditReadRecorder(AuditStoreWriter writer) {
    this.writer = writer;
  }

  /**
   * Appends the row for a read.
   *
   * @param operation what was read: {@code export} or {@code verify}
   * @param caller the token's subject
   * @param roles the token's roles
   * @param query the request's query parameters that were given
   */
  public void record(
      String operation, String caller, Set<String> roles, Map<String, String> query) {
    String id = UUID.randomUUID().toString();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("specversion", EventJson.SPEC_VERSION);
    event.put("id", id);
    event.put("source", SOURCE);
    event.put("type", TYPE);
    event.put("time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(now));
    ObjectNode data = event.putObject("data");
    data.put("operation", operation);
    data.put("actor", storable(caller));
    ArrayNode roleNames = data.putArray("roles");
    new TreeSet<>(roles).forEach(role -> roleNames.add(storable(role)));
    ObjectNode parameters = data.putObject("query");
    new TreeMap<>(query).forEach((name, value) -> parameters.put(storable(name), storable(value)));
    String actor = storable(caller);
    if (actor != null
        && actor.getBytes(StandardCharsets.UTF_8).length > AuditRecordReader.MAX_ACTOR_BYTES) {
      actor = null;
    }
    writer.append(
        List.of(
            new AuditRecord(
                TOPIC, null, null, null, null, id, TYPE, SOURCE, null, null, null, null, null,
                actor, null, now, false, null, event, null)));
  }

  /** Request text as PostgreSQL stores it unchanged: no NUL, no lone surrogate. */
  private static String storable(String text) {
    if (text == null || CanonicalJson.storable(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c ->
                out.appendCodePoint(
                    c == 0 || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)
                        ? 0xFFFD
                        : c));
    return out.toString();
  }
}

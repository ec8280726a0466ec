package dev.slipway.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Moves an {@link Envelope} in and out of SmallRye Reactive Messaging's CloudEvents support for
 * Kafka (binary mode: the attributes travel as {@code ce_*} headers, the payload as the record
 * value), keyed by application so one application's events stay in order on one partition.
 */
public final class KafkaCloudEvents {

  /** The W3C trace context header a record carries from the request that caused it. */
  public static final String TRACEPARENT = "traceparent";

  private static final String CE_PREFIX = "ce_";
  private static final String CONTENT_TYPE_HEADER = "content-type";
  private static final System.Logger LOG = System.getLogger(KafkaCloudEvents.class.getName());
  private static final Duration RETRY_FIRST_DELAY = Duration.ofMillis(200);
  private static final Duration RETRY_MAX_DELAY = Duration.ofSeconds(10);

  private KafkaCloudEvents() {}

  /** A message SmallRye's Kafka connector writes as this CloudEvent, keyed by application. */
  public static <T> Message<T> toMessage(Envelope<T> event) {
    OutgoingCloudEventMetadata<T> ce =
        OutgoingCloudEventMetadata.<T>builder()
            .withId(event.id())
            .withSource(URI.create(event.source()))
            .withType(event.type())
            .withSubject(event.subject())
            .withTimestamp(event.time().atZoneSameInstant(ZoneOffset.UTC))
            .withDataContentType(EventJson.CONTENT_TYPE)
            .withExtension(EventJson.RUN_ID, event.runId())
            .build();
    ce = withOptional(ce, EventJson.CAUSATION_ID, event.causationId());
    ce = withOptional(ce, EventJson.COMMIT_SHA, event.commitSha());
    OutgoingKafkaRecordMetadata<String> kafka =
        OutgoingKafkaRecordMetadata.<String>builder().withKey(event.subject()).build();
    return Message.of(event.data()).addMetadata(ce).addMetadata(kafka);
  }

  /**
   * The Kafka record of an event kept as a structured-mode CloudEvents JSON document ({@link
   * EventJson#writeEvent}), in the binary mode SmallRye's connector writes and every consumer
   * reads: each attribute a {@code ce_*} header ({@code datacontenttype} also as {@code
   * content-type}), the {@code data} as the value, the subject (the application) as the key. Works
   * on the JSON tree, whatever the event's type, without reading the payload into its record.
   *
   * @param topic where the record goes
   * @param structuredEvent the event as the outbox keeps it
   * @param traceparent the W3C trace context of the request that caused the event, or null
   * @throws EventFormatException when the document is not an event
   */
  public static ProducerRecord<String, byte[]> toRecord(
      String topic, byte[] structuredEvent, String traceparent) {
    JsonNode event;
    try {
      event = EventJson.mapper().readTree(structuredEvent);
    } catch (IOException e) {
      throw new EventFormatException("(event)", "is not JSON: " + e.getMessage(), e);
    }
    if (event == null || !event.isObject()) {
      throw new EventFormatException("(event)", "must be a JSON object");
    }
    Headers headers = new RecordHeaders();
    Iterator<Map.Entry<String, JsonNode>> fields = event.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.equals("data") || value == null || value.isNull()) {
        continue;
      }
      if (!value.isTextual()) {
        throw new EventFormatException(name, "must be a string");
      }
      byte[] text = value.textValue().getBytes(StandardCharsets.UTF_8);
      headers.add(CE_PREFIX + name, text);
      if (name.equals("datacontenttype")) {
        // SmallRye writes the content type twice: as an attribute and as Kafka's content-type.
        headers.add(CONTENT_TYPE_HEADER, text);
      }
    }
    JsonNode subject = event.get("subject");
    if (subject == null || !subject.isTextual()) {
      throw new EventFormatException("subject", "is required");
    }
    JsonNode data = event.get("data");
    if (data == null || data.isNull()) {
      throw new EventFormatException("data", "is required");
    }
    if (traceparent != null) {
      headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
    }
    byte[] value;
    try {
      value = EventJson.mapper().writeValueAsBytes(data);
    } catch (IOException e) {
      throw new EventFormatException("data", "cannot be written: " + e.getMessage(), e);
    }
    return new ProducerRecord<>(topic, null, null, subject.textValue(), value, headers);
  }

  /**
   * The envelope of a message received from Kafka. Fails with {@link EventFormatException} when the
   * record is not a CloudEvent of {@code expected}'s type or lacks a required attribute.
   */
  public static <T> Envelope<T> fromMessage(Message<T> message, EventType<T> expected) {
    @SuppressWarnings("unchecked")
    IncomingCloudEventMetadata<T> ce =
        message
            .getMetadata(IncomingCloudEventMetadata.class)
            .orElseThrow(() -> new EventFormatException("ce_id", "is missing: not a CloudEvent"));
    if (!expected.ceType().equals(ce.getType())) {
      throw new EventFormatException(
          "ce_type", "is " + ce.getType() + ", expected " + expected.ceType());
    }
    if (message.getPayload() == null) {
      throw new EventFormatException("data", "is missing or could not be read");
    }
    ZonedDateTime time =
        ce.getTimeStamp().orElseThrow(() -> new EventFormatException("ce_time", "is required"));
    return new Envelope<>(
        ce.getId(),
        ce.getSource().toString(),
        ce.getType(),
        time.toOffsetDateTime(),
        ce.getSubject().orElseThrow(() -> new EventFormatException("ce_subject", "is required")),
        ce.<String>getExtension(EventJson.RUN_ID)
            .orElseThrow(() -> new EventFormatException("ce_runid", "is required")),
        ce.<String>getExtension(EventJson.CAUSATION_ID).orElse(null),
        ce.<String>getExtension(EventJson.COMMIT_SHA).orElse(null),
        message.getPayload());
  }

  /**
   * Consumes one message at least once: reads its envelope, runs {@code handler}, and acks only
   * when the handler's work completed, so the offset is committed after processing. A record that
   * is not a valid event of {@code type} is nacked with the cause and the channel's failure
   * strategy (Slipway's: the {@code .dlq} topic) takes it. So is a record the database refuses for
   * its content ({@link #refusedForItsContent}): retrying it could never succeed and would hold its
   * partition forever. Any other failure (the database is down, say) is not the record's fault: the
   * handler is retried with back-off until it succeeds, holding the partition, so a valid event is
   * never dead-lettered by an outage.
   */
  public static <T> Uni<Void> consume(
      Message<T> message, EventType<T> type, Function<Envelope<T>, Uni<?>> handler) {
    return Uni.createFrom()
        .item(() -> fromMessage(message, type))
        .flatMap(
            event ->
                Uni.createFrom()
                    .deferred(() -> handler.apply(event))
                    .onFailure(KafkaCloudEvents::retryable)
                    .invoke(failure -> logRetry(event, failure))
                    .onFailure(KafkaCloudEvents::retryable)
                    .retry()
                    .withBackOff(RETRY_FIRST_DELAY, RETRY_MAX_DELAY)
                    .indefinitely())
        .flatMap(done -> Uni.createFrom().completionStage(message.ack()))
        .onFailure()
        .recoverWithUni(failure -> Uni.createFrom().completionStage(message.nack(failure)));
  }

  private static boolean retryable(Throwable failure) {
    return !(failure instanceof EventFormatException) && !refusedForItsContent(failure);
  }

  /**
   * Whether the database refused the work for what the record holds, which no retry changes:
   * SQLSTATE class 22 (data exception: a NUL in text, a value out of range, an invalid escape) or
   * 23 (integrity: a check or not-null constraint; a unique violation is the handlers' idempotence
   * and never reaches here). Read from {@code getSqlState()} (Vert.x SQL clients) or {@code
   * getSQLState()} (JDBC) anywhere in the cause chain, so this module needs no database driver.
   */
  static boolean refusedForItsContent(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String state = sqlState(t);
      if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
        return true;
      }
    }
    return false;
  }

  private static String sqlState(Throwable t) {
    if (t instanceof java.sql.SQLException jdbc) {
      return jdbc.getSQLState();
    }
    try {
      Object state = t.getClass().getMethod("getSqlState").invoke(t);
      return state instanceof String text ? text : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static void logRetry(Envelope<?> event, Throwable failure) {
    LOG.log(
        System.Logger.Level.WARNING,
        "run {0}: handling {1} {2} failed, retrying: {3}",
        event.runId(),
        event.type(),
        event.id(),
        abbreviated(String.valueOf(failure.getMessage())));
  }

  // A retry is logged at every back-off step: a driver's multi-kilobyte message must not flood.
  private static String abbreviated(String message) {
    return message.length() <= 500 ? message : message.substring(0, 500) + "…";
  }

  private static <T> OutgoingCloudEventMetadata<T> withOptional(
      OutgoingCloudEventMetadata<T> ce, String name, String value) {
    return value == null
        ? ce
        : OutgoingCloudEventMetadata.from(ce).withExtension(name, value).build();
  }
}

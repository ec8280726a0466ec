package dev.slipway.work.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * The W3C {@code traceparent} of the request that caused an event: taken from the current
 * OpenTelemetry span when an event is written to the outbox, sent as a Kafka header with it, and
 * put into the log context of the consumer that handles it, so one trace id names every log line of
 * a run across services. Without OpenTelemetry (or outside a span) there is none and nothing
 * changes.
 */
public final class Traceparent {

  /** The log context key of the trace id (the one OpenTelemetry's Quarkus extension uses). */
  public static final String TRACE_ID = "traceId";

  /** The log context key of the span that sent the record. */
  public static final String PARENT_ID = "parentId";

  private static final Pattern FORMAT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

  private Traceparent() {}

  /** The traceparent of the current span, or null when there is no valid one. */
  public static String current() {
    SpanContext span = Span.current().getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  /** Whether {@code value} is a version-00 traceparent with a trace id and a span id. */
  public static boolean isValid(String value) {
    return value != null && FORMAT.matcher(value).matches();
  }

  /**
   * Puts the trace id and span id of {@code traceparent} into the log context of this thread (or of
   * the Vert.x context it runs on); nothing for an absent or malformed value.
   *
   * @return whether anything was put
   */
  public static boolean intoLogContext(String traceparent) {
    if (!isValid(traceparent)) {
      return false;
    }
    MDC.put(TRACE_ID, traceparent.substring(3, 35));
    MDC.put(PARENT_ID, traceparent.substring(36, 52));
    return true;
  }

  /** Takes what {@link #intoLogContext} put out of the log context again. */
  public static void clearLogContext() {
    MDC.remove(TRACE_ID);
    MDC.remove(PARENT_ID);
  }
}

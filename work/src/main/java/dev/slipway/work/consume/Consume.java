package dev.slipway.work.consume;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.work.db.DatabaseErrors;
import dev.slipway.work.trace.Traceparent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The consume policy of every Slipway consumer: one record at a time, at least once, and one bad
 * record never stops the consumer.
 *
 * <ul>
 *   <li>The envelope is read and the handler's work completes before the message is acked, so the
 *       offset is committed after processing.
 *   <li>A record that breaks the contract ({@link EventFormatException}), or whose content the
 *       database refuses ({@link DatabaseErrors.Kind#REFUSED}, SQLSTATE class 22 or 23), is nacked
 *       with the reason at once and the channel's {@code dead-letter-queue} strategy writes it to
 *       {@code <topic>.dlq}: no retry could change it, and retrying would hold its partition.
 *   <li>A database that cannot be reached ({@link DatabaseErrors.Kind#UNAVAILABLE}) is not the
 *       record's fault: the handler is retried with back-off until it succeeds, holding the
 *       partition, so a valid event is never dead-lettered by an outage.
 *   <li>Any other failure (a bug the record triggers) is retried a few times, then the record is
 *       dead-lettered with the reason, where it stays for the operators instead of stopping the
 *       consumer.
 * </ul>
 *
 * The record's {@code traceparent} header is in the log context while the handler runs.
 */
public final class Consume {

  /** Tries of a handler that failed for neither the record's content nor an outage. */
  static final int OTHER_FAILURE_TRIES = 5;

  private static final Logger LOG = Logger.getLogger(Consume.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(200);
  private static final Duration LONGEST_RETRY = Duration.ofSeconds(10);

  private Consume() {}

  /** Consumes {@code message} as an event of {@code type} with {@code handler}, as described. */
  public static <T> Uni<Void> consume(
      Message<T> message, EventType<T> type, Function<Envelope<T>, Uni<?>> handler) {
    AtomicInteger otherFailures = new AtomicInteger();
    return Uni.createFrom()
        .item(() -> KafkaCloudEvents.fromMessage(message, type))
        .flatMap(
            event -> {
              boolean traced = Traceparent.intoLogContext(traceparentOf(message));
              return Uni.createFrom()
                  .deferred(() -> handler.apply(event))
                  .onFailure(failure -> retried(failure, otherFailures))
                  .invoke(failure -> logRetry(event, failure))
                  .onFailure(failure -> retryable(failure, otherFailures.get()))
                  .retry()
                  .withBackOff(FIRST_RETRY, LONGEST_RETRY)
                  .indefinitely()
                  .onTermination()
                  .invoke(
                      () -> {
                        if (traced) {
                          Traceparent.clearLogContext();
                        }
                      });
            })
        .flatMap(done -> Uni.createFrom().completionStage(message.ack()))
        .onFailure()
        .recoverWithUni(failure -> Uni.createFrom().completionStage(message.nack(failure)));
  }

  /** Whether a failure of a handler is the record's own: contract broken or content refused. */
  public static boolean isTheRecords(Throwable failure) {
    return failure instanceof EventFormatException || DatabaseErrors.isRefused(failure);
  }

  // Counts the failures that are neither the record's nor an outage; true when one is retried.
  private static boolean retried(Throwable failure, AtomicInteger otherFailures) {
    if (isTheRecords(failure)) {
      return false;
    }
    if (DatabaseErrors.isUnavailable(failure)) {
      return true;
    }
    return otherFailures.incrementAndGet() < OTHER_FAILURE_TRIES;
  }

  private static boolean retryable(Throwable failure, int otherFailures) {
    if (isTheRecords(failure)) {
      return false;
    }
    return DatabaseErrors.isUnavailable(failure) || otherFailures < OTHER_FAILURE_TRIES;
  }

  private static String traceparentOf(Message<?> message) {
    return message
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(kafka -> kafka.getHeaders().lastHeader(KafkaCloudEvents.TRACEPARENT))
        .map(header -> new String(header.value(), StandardCharsets.UTF_8))
        .orElse(null);
  }

  private static void logRetry(Envelope<?> event, Throwable failure) {
    LOG.warnf(
        "run %s: handling %s %s failed, retrying: %s",
        event.runId(), event.type(), event.id(), abbreviated(String.valueOf(failure)));
  }

  // A retry is logged at every back-off step: a driver's multi-kilobyte message must not flood.
  private static String abbreviated(String message) {
    return message.length() <= 500 ? message : message.substring(0, 500) + "…";
  }
}

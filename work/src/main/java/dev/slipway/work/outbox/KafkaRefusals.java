package dev.slipway.work.outbox;

import dev.slipway.events.EventFormatException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Tells a record Kafka refuses for what it is (too large, invalid, unreadable, bound for a topic
 * the service does not publish) from a failure of the moment (the broker is away, a request timed
 * out): the first is parked, the second sent again.
 */
final class KafkaRefusals {

  private KafkaRefusals() {}

  /** Whether no retry can get {@code failure}'s record into Kafka. */
  static boolean refusedForItsContent(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RecordTooLargeException
          || t instanceof RecordBatchTooLargeException
          || t instanceof InvalidRecordException
          || t instanceof InvalidTopicException
          || t instanceof SerializationException
          || t instanceof EventFormatException
          || t instanceof UndeclaredTopicException) {
        return true;
      }
    }
    return false;
  }

  /** A row bound for a topic the service does not declare in {@code outbox.topics}. */
  static final class UndeclaredTopicException extends RuntimeException {
    UndeclaredTopicException(String topic) {
      super(
          "topic " + topic + " is not one this service publishes (outbox.topics)",
          null,
          false,
          false);
    }
  }
}

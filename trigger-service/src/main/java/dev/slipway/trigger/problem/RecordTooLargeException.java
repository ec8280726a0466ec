package dev.slipway.trigger.problem;

import dev.slipway.problem.TooLargeException;

/**
 * A commit.received that would exceed the Kafka producer's {@code max.request.size} even with its
 * message cut to nothing: 413, nothing stored, so it never blocks the outbox.
 */
public class RecordTooLargeException extends TooLargeException {

  public RecordTooLargeException(String detail) {
    super(detail, null);
  }

  @Override
  public String kind() {
    return "record-too-large";
  }
}

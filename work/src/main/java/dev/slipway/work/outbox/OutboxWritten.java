package dev.slipway.work.outbox;

/**
 * A CDI event fired once a transaction that added outbox rows committed: the relay publishes now
 * instead of at its next poll.
 */
public enum OutboxWritten {
  /** The only value: what was written does not matter, the relay reads it from the table. */
  ROWS
}

package dev.slipway.work.queue;

/**
 * A CDI event fired after a transaction that made work claimable in queue {@code queue} committed
 * (see {@code Tx.afterCommit}): idle workers of that queue look for it now instead of at their next
 * poll.
 *
 * @param queue the queue's table
 */
public record QueueWritten(String queue) {}

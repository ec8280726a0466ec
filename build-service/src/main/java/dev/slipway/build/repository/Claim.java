package dev.slipway.build.repository;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.work.queue.Lease;

/**
 * A build a worker holds: {@code lease} (owner and fencing token, see work/'s leased queue) is its
 * while it renews it, so only the current holder can record the outcome.
 *
 * @param lease the lease on the build's row
 * @param attempt the attempt of the run
 * @param commit the commit.received that asked for the run
 * @param cancelRequestedBy who asked to cancel it before it was claimed, or null
 */
public record Claim(
    Lease lease, int attempt, Envelope<CommitReceived> commit, String cancelRequestedBy) {

  /** The build. */
  public String buildId() {
    return lease.id();
  }

  /** The worker holding the lease. */
  public String owner() {
    return lease.owner();
  }

  /** How many times the build has been claimed, this claim included. */
  public int claims() {
    return lease.attempts();
  }

  /** {@link System#nanoTime()} when the claim was sent: the lease lasts its duration from then. */
  public long sentAtNanos() {
    return lease.sentAtNanos();
  }

  /** Whether an earlier claim of this build was abandoned (its instance died). */
  public boolean isTakeover() {
    return lease.isTakeover();
  }
}

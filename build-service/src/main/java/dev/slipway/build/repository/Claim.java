package dev.slipway.build.repository;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;

/**
 * A build a worker holds: the lease is {@code owner}'s while it renews it, and {@code claims}
 * (incremented on every claim) fences a worker that lost it, so only the current holder can record
 * the outcome.
 *
 * @param buildId the build
 * @param attempt the attempt of the run
 * @param owner the worker holding the lease
 * @param claims how many times the build has been claimed, this claim included
 * @param commit the commit.received that asked for the run
 * @param cancelRequestedBy who asked to cancel it before it was claimed, or null
 * @param sentAtNanos {@link System#nanoTime()} when the claim was sent: the lease lasts at least
 *     its duration from then
 */
public record Claim(
    String buildId,
    int attempt,
    String owner,
    int claims,
    Envelope<CommitReceived> commit,
    String cancelRequestedBy,
    long sentAtNanos) {

  /** Whether an earlier claim of this build was abandoned (its instance died). */
  public boolean isTakeover() {
    return claims > 1;
  }
}

package dev.slipway.work.queue;

/**
 * A row of a queue one worker holds: {@code owner} names the worker, {@code token} (a number no
 * other claim of any row in the database ever had) fences every write of the outcome, so a worker
 * that lost the lease (paused past it, then came back) changes nothing once another took over.
 *
 * @param id the row
 * @param owner the worker holding it
 * @param token the fencing token of this claim
 * @param attempts how many times the row has been claimed, this claim included
 * @param status the row's status right after the claim
 * @param sentAtNanos {@link System#nanoTime()} when the claim was sent: the lease lasts at least
 *     its duration from then, whatever the database's clock says
 */
public record Lease(
    String id, String owner, long token, int attempts, String status, long sentAtNanos) {

  /** Whether an earlier claim of this row was abandoned (its worker died or stopped renewing). */
  public boolean isTakeover() {
    return attempts > 1;
  }
}

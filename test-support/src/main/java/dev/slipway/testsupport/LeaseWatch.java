package dev.slipway.testsupport;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;

/**
 * Watches the lease of one row of a service's leased queue (work/'s {@code lease_until} column),
 * for tests that act right after a renewal (e.g. pause the database then, and measure how long
 * before the lease could pass on the holder stopped).
 *
 * @param pool the service's own pool
 * @param table the queue's table
 * @param id the table's id column
 */
public record LeaseWatch(Pool pool, String table, String id) {

  /** The row's {@code lease_until} as it is now. */
  public Instant leaseUntil(String rowId) {
    return pool.preparedQuery("SELECT lease_until FROM " + table + " WHERE " + id + " = $1")
        .execute(Tuple.of(rowId))
        .await()
        .atMost(Duration.ofSeconds(5))
        .iterator()
        .next()
        .getOffsetDateTime(0)
        .toInstant();
  }

  /**
   * Waits, at most {@code lease}, for the next renewal of the row's lease (its {@code lease_until}
   * moves on) and returns the new {@code lease_until}: the lease lasts at least until then.
   */
  public Instant nextRenewal(String rowId, Duration lease) throws InterruptedException {
    Instant first = leaseUntil(rowId);
    long deadline = System.nanoTime() + lease.toNanos();
    while (System.nanoTime() < deadline) {
      Instant now = leaseUntil(rowId);
      if (!now.equals(first)) {
        return now;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the lease of " + rowId + " was not renewed within " + lease);
  }
}

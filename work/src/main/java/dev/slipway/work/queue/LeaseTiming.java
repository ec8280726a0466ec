package dev.slipway.work.queue;

import java.time.Duration;

/**
 * How a lease is kept: it lasts {@code lease} unless renewed, is renewed every {@code renewEvery},
 * and a holder that could not renew it gives the work up {@code margin} before it could expire, so
 * its work has stopped before another holder can take over.
 *
 * @param lease how long a lease lasts from the moment its claim or renewal was sent
 * @param renewEvery how often it is renewed
 * @param margin how long before the lease could run out a holder that could not renew stops
 */
public record LeaseTiming(Duration lease, Duration renewEvery, Duration margin) {

  public LeaseTiming {
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("a lease must last: " + lease);
    }
    if (margin.isNegative() || margin.isZero() || margin.compareTo(lease) >= 0) {
      throw new IllegalArgumentException("the margin must be within the lease: " + margin);
    }
    // Two renewals at least are tried before a holder gives up.
    if (renewEvery.multipliedBy(2).compareTo(lease.minus(margin)) > 0) {
      throw new IllegalArgumentException(
          "renewing every " + renewEvery + " is too rare for a lease of " + lease);
    }
  }

  /** A lease renewed every third of its duration, given up a quarter of it before it runs out. */
  public static LeaseTiming of(Duration lease) {
    return new LeaseTiming(lease, lease.dividedBy(3), lease.dividedBy(4));
  }

  /** A lease renewed every {@code renewEvery}, given up a quarter of it before it runs out. */
  public static LeaseTiming of(Duration lease, Duration renewEvery) {
    return new LeaseTiming(lease, renewEvery, lease.dividedBy(4));
  }
}

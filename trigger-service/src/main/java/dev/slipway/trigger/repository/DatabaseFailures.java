package dev.slipway.trigger.repository;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells a database that cannot take a write (down, restarting, out of connections) from a statement
 * that is wrong: the first is answered 503 so the caller retries, the second is a bug.
 */
public final class DatabaseFailures {

  // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator
  // intervention (shutdown, restart), 58 system error; and the two that a retry always cures.
  private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "53", "57", "58");
  private static final Set<String> RETRYABLE_STATES = Set.of("40001", "40P01");

  private DatabaseFailures() {}

  /** Whether {@code failure} means PostgreSQL could not do the work now, not that it was wrong. */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg) {
        String state = pg.getSqlState() == null ? "" : pg.getSqlState();
        return RETRYABLE_STATES.contains(state)
            || (state.length() == 5 && UNAVAILABLE_CLASSES.contains(state.substring(0, 2)));
      }
      if (t instanceof IOException
          || t instanceof ClosedConnectionException
          || t instanceof TimeoutException
          || t instanceof VertxException) {
        return true;
      }
    }
    return false;
  }
}

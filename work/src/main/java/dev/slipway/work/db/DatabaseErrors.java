package dev.slipway.work.db;

import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The one classification of database failures every service uses: PostgreSQL could not do the work
 * now ({@link Kind#UNAVAILABLE}: retry, answer 503), PostgreSQL refused it for what it holds
 * ({@link Kind#REFUSED}: no retry changes it), or something else. Read from the driver's exception
 * types (Vert.x's {@link DatabaseException} and JDBC's {@link SQLException}) anywhere in the cause
 * chain; no reflection.
 */
public final class DatabaseErrors {

  /** What a failure means for the work that met it. */
  public enum Kind {
    /** Down, restarting, out of connections or resources, or a conflict a retry cures. */
    UNAVAILABLE,
    /** SQLSTATE class 22 (data exception) or 23 (integrity constraint): the content is refused. */
    REFUSED,
    /** Not the database's answer to the content nor an outage: a bug or the unforeseen. */
    OTHER
  }

  // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator
  // intervention (shutdown, restart, cannot connect now), 58 system error.
  private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "53", "57", "58");
  // Serialization failure and deadlock: the transaction was sound, running it again succeeds.
  private static final Set<String> RETRY_STATES = Set.of("40001", "40P01");
  private static final Set<String> REFUSED_CLASSES = Set.of("22", "23");

  private DatabaseErrors() {}

  /** What {@code failure} means. */
  public static Kind classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String state = sqlStateOf(t);
      if (state != null) {
        return ofState(state);
      }
      if (t instanceof DatabaseException) {
        return Kind.OTHER;
      }
      if (t instanceof IOException
          || t instanceof ClosedConnectionException
          || t instanceof TimeoutException
          || t instanceof VertxException) {
        return Kind.UNAVAILABLE;
      }
    }
    return Kind.OTHER;
  }

  /** Whether PostgreSQL could not do the work now, not that it was wrong. */
  public static boolean isUnavailable(Throwable failure) {
    return classify(failure) == Kind.UNAVAILABLE;
  }

  /** Whether PostgreSQL refused the work for its content (SQLSTATE class 22 or 23). */
  public static boolean isRefused(Throwable failure) {
    return classify(failure) == Kind.REFUSED;
  }

  /** Whether {@code failure} is a unique violation (23505), e.g. a second insert of one key. */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if ("23505".equals(sqlStateOf(t))) {
        return true;
      }
    }
    return false;
  }

  static Kind ofState(String state) {
    if (state.length() != 5) {
      return Kind.OTHER;
    }
    String stateClass = state.substring(0, 2);
    if (RETRY_STATES.contains(state) || UNAVAILABLE_CLASSES.contains(stateClass)) {
      return Kind.UNAVAILABLE;
    }
    return REFUSED_CLASSES.contains(stateClass) ? Kind.REFUSED : Kind.OTHER;
  }

  private static String sqlStateOf(Throwable t) {
    if (t instanceof DatabaseException db) {
      return db.getSqlState();
    }
    if (t instanceof SQLException jdbc) {
      return jdbc.getSQLState();
    }
    return null;
  }
}

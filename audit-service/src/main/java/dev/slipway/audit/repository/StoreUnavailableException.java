package dev.slipway.audit.repository;

import dev.slipway.problem.UnavailableException;
import java.sql.SQLException;

/**
 * The audit store could not be used for a reason that can pass (the database is down, restarting,
 * or refuses this role until an operator fixes it): the same work can succeed later.
 */
public class StoreUnavailableException extends UnavailableException {

  /** Seconds a caller of the API is told to wait. */
  private static final int RETRY_AFTER_SECONDS = 5;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message + ": " + cause.getMessage(), RETRY_AFTER_SECONDS, cause);
  }

  /** The cause names database internals: logged with the answer's error id, not told. */
  @Override
  public String detail() {
    return "The audit store cannot be reached now; try again shortly.";
  }

  @Override
  public String kind() {
    return "store-unavailable";
  }

  /**
   * Whether a failure can pass by itself or by an operator's hand, rather than being about the
   * data: connection and resource problems, shutdowns, serialization failures, missing privileges
   * or tables, anything without an SQLSTATE. Data exceptions (22), integrity violations (23),
   * program limits (54) and internal errors (XX) are about the rows and will fail again.
   */
  public static boolean transientFailure(SQLException e) {
    String state = e.getSQLState();
    if (state == null || state.length() < 2) {
      return true;
    }
    return switch (state.substring(0, 2)) {
      case "22", "23", "54", "XX" -> false;
      default -> true;
    };
  }
}

package dev.slipway.work.db;

import io.vertx.mutiny.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;

/**
 * One database transaction of {@link Transactions#run}: its connection, and the CDI events to fire
 * once it committed (a relay or an idle worker woken because the transaction wrote work for it).
 * Nothing is fired for a transaction that rolled back.
 */
public final class Tx {

  private final SqlClient connection;
  private final List<Object> afterCommit = new ArrayList<>();

  Tx(SqlClient connection) {
    this.connection = connection;
  }

  /**
   * A transaction the caller runs on {@code connection} itself, outside {@link Transactions}:
   * nothing is fired at its commit, so the caller fires what it must once it committed (an {@code
   * OutboxWritten}), or the relay finds the rows at its next poll.
   */
  public static Tx of(SqlClient connection) {
    return new Tx(connection);
  }

  /** The connection the transaction runs on; one statement at a time. */
  public SqlClient sql() {
    return connection;
  }

  /** Fires {@code event} as a CDI event once the transaction committed (once per event). */
  public void afterCommit(Object event) {
    if (!afterCommit.contains(event)) {
      afterCommit.add(event);
    }
  }

  List<Object> committedEvents() {
    return List.copyOf(afterCommit);
  }
}

package dev.slipway.work.db;

import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * One database transaction of {@link Transactions#run}: its connection, and the CDI events to fire
 * once it committed (a relay or an idle worker woken because the transaction wrote work for it).
 * Nothing is fired for a transaction that rolled back.
 */
public final class Tx {

  private final SqlConnection connection;
  private final List<Object> afterCommit = new ArrayList<>();

  Tx(SqlConnection connection) {
    this.connection = connection;
  }

  /** A transaction of {@code connection} outside {@link Transactions}; nothing is fired. */
  public static Tx of(SqlConnection connection) {
    return new Tx(connection);
  }

  /** The connection the transaction runs on; one statement at a time. */
  public SqlConnection sql() {
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

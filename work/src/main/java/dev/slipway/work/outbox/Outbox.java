package dev.slipway.work.outbox;

import dev.slipway.events.Envelope;
import dev.slipway.work.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Where a service puts the events it publishes: inside the transaction of the state change that
 * causes them, so both happen or neither. Event ids are derived from the cause ({@code
 * Envelope.derivedId}), so a transaction retried after a crash adds the same event again, which the
 * outbox keeps once, and a republish carries the same id. Once the transaction committed the relay
 * is woken ({@link OutboxWritten}).
 */
@ApplicationScoped
public class Outbox {

  private final OutboxStore store;

  public Outbox(OutboxStore store) {
    this.store = store;
  }

  /** Adds {@code event} in {@code tx}, traced to the current span. */
  public Uni<Void> add(Tx tx, Envelope<?> event) {
    return add(tx, List.of(OutboxEvent.of(event)));
  }

  /** Adds {@code events}, in this order, in {@code tx}. */
  public Uni<Void> add(Tx tx, List<OutboxEvent> events) {
    if (events.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    tx.afterCommit(OutboxWritten.ROWS);
    return store.add(tx, events);
  }
}

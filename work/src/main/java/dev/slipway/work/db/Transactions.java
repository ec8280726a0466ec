package dev.slipway.work.db;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Runs work in one PostgreSQL transaction and, once it committed, fires the CDI events the work
 * asked for ({@link Tx#afterCommit}): the equivalent of observers {@code AFTER_SUCCESS} for the
 * reactive client, which has no JTA transaction. So a writer never calls the relay or the workers
 * it wakes, and nothing is woken for a transaction that rolled back. Observers run on the thread
 * that completed the commit and must not block.
 */
@ApplicationScoped
public class Transactions {

  private static final Logger LOG = Logger.getLogger(Transactions.class);

  private final Pool pool;
  private final Consumer<Object> fire;

  @Inject
  public Transactions(Pool pool, Event<Object> events) {
    this(pool, events::fire);
  }

  private Transactions(Pool pool, Consumer<Object> fire) {
    this.pool = pool;
    this.fire = fire;
  }

  /** Transactions that hand their committed events to {@code fire} (tests, no CDI). */
  public static Transactions of(Pool pool, Consumer<Object> fire) {
    return new Transactions(pool, fire);
  }

  /** Runs {@code work} in a transaction; commits when its Uni succeeds, else rolls back. */
  public <T> Uni<T> run(Function<Tx, Uni<T>> work) {
    AtomicReference<List<Object>> committed = new AtomicReference<>(List.of());
    return pool.withTransaction(
            connection -> {
              Tx tx = new Tx(connection);
              return work.apply(tx).invoke(() -> committed.set(tx.committedEvents()));
            })
        .invoke(() -> committed.get().forEach(this::fireQuietly));
  }

  private void fireQuietly(Object event) {
    try {
      fire.accept(event);
    } catch (RuntimeException e) {
      // The transaction committed; a wake-up that failed only delays the work to the next poll.
      LOG.warnf("after-commit event %s not delivered: %s", event, e.toString());
    }
  }
}

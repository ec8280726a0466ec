package dev.slipway.scan.repository;

import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.LeasedQueue;
import dev.slipway.work.queue.QueueTable;
import dev.slipway.work.queue.Renewal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * work/'s {@link LeasedQueue} on one of this service's tables (the build scans, the
 * re-evaluations), with what both queues do the same way: a claim that reads the claimed row, and
 * an outcome written in one transaction only while the lease is still its holder's.
 */
final class FencedQueue {

  private final Pool pool;
  private final Outbox outbox;
  private final LeasedQueue queue;

  FencedQueue(Pool pool, Outbox outbox, QueueTable table) {
    this.pool = pool;
    this.outbox = outbox;
    this.queue = new LeasedQueue(pool, table);
  }

  /**
   * Claims the oldest claimable row for {@code owner} and reads it with {@code select} (its one
   * parameter the row's id). A claimed row that cannot be read is given back at once: its work has
   * not started, so any worker may take it without waiting for the lease to run out.
   */
  <T> Uni<Optional<T>> claimOne(
      String owner, Duration lease, String select, BiFunction<Lease, Row, T> read) {
    return queue
        .claimOne(owner, lease)
        .flatMap(
            claimed ->
                claimed
                    .map(held -> readClaimed(held, select, read).map(Optional::of))
                    .orElseGet(() -> Uni.createFrom().item(Optional.empty())));
  }

  private <T> Uni<T> readClaimed(Lease held, String select, BiFunction<Lease, Row, T> read) {
    return pool.preparedQuery(select)
        .execute(Tuple.of(held.id()))
        .map(rows -> read.apply(held, rows.iterator().next()))
        .onFailure()
        .call(failure -> queue.release(held).onFailure().recoverWithNull());
  }

  /** Extends {@code lease}: {@link Renewal#LOST} when another holder has the row now. */
  Uni<Renewal> renew(Lease lease, Duration duration) {
    return queue.renew(lease, duration);
  }

  /**
   * Runs {@code write} in one transaction after locking the row of {@code lease}, only while the
   * lease is still its holder's: a holder that lost it writes nothing.
   *
   * @return false when nothing was written because the lease is another's or its work is over;
   *     otherwise what {@code write} returned
   */
  Uni<Boolean> fenced(Lease lease, Function<SqlConnection, Uni<Boolean>> write) {
    return pool.withTransaction(
        connection ->
            queue
                .lock(Tx.of(connection), lease)
                .flatMap(
                    held ->
                        held.isEmpty() ? Uni.createFrom().item(false) : write.apply(connection)));
  }

  /**
   * Writes the outcome of the work {@code lease} holds and the events it causes, in one
   * transaction, fenced as {@link #fenced}: a holder that lost the lease writes and publishes
   * nothing.
   *
   * @return whether the outcome was written
   */
  Uni<Boolean> finish(
      Lease lease, Function<SqlConnection, Uni<?>> outcome, List<OutboxEvent> events) {
    return fenced(
        lease,
        connection ->
            outcome
                .apply(connection)
                .flatMap(done -> outbox.add(Tx.of(connection), events))
                .replaceWith(true));
  }
}

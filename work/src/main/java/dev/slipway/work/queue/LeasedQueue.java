package dev.slipway.work.queue;

import dev.slipway.work.db.Tx;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A service's table as a leased work queue (see {@link QueueTable}). Workers claim rows with {@code
 * FOR UPDATE SKIP LOCKED}, so two never claim the same; each claim takes a fencing token from the
 * database's {@code work_lease_token} sequence and a lease that its holder renews while it works. A
 * row whose lease ran out is claimable again (a take-over; {@code attempts} counts them, the
 * service decides when enough is enough). Every write of an outcome goes through {@link #lock},
 * which finds the row only while the lease is the caller's, so a holder that lost it changes
 * nothing. A cancel asked while the work runs is a state ({@link QueueTable#cancelling}) that the
 * renewal reports and the fenced finish reads, so a cancel that was accepted is never overwritten
 * by a success.
 */
public final class LeasedQueue {

  private final Pool pool;
  private final QueueTable table;
  private final String claim;
  private final String renew;
  private final String renewAll;
  private final String release;
  private final String lock;
  private final String current;
  private final String markCancelling;

  public LeasedQueue(Pool pool, QueueTable table) {
    this.pool = pool;
    this.table = table;
    String t = table.table();
    String id = table.id();
    String active = table.activeList();
    String held = "lease_owner = $2 AND lease_token = $3 AND status IN (" + active + ")";
    StringBuilder set =
        new StringBuilder(
            "lease_owner = $1, lease_token = nextval('work_lease_token'),"
                + " lease_until = now() + $2 * interval '1 millisecond', attempts = lq.attempts + 1");
    if (table.running() != null) {
      set.append(", status = CASE WHEN lq.status = '")
          .append(QueueTable.QUEUED)
          .append("' THEN '")
          .append(table.running())
          .append("' ELSE lq.status END");
    }
    if (table.onClaim() != null) {
      set.append(", ").append(table.onClaim());
    }
    this.claim =
        "UPDATE "
            + t
            + " lq SET "
            + set
            + " FROM (SELECT q."
            + id
            + " FROM "
            + t
            + " q WHERE q.status IN ("
            + active
            + ") AND (q.lease_until IS NULL OR q.lease_until < now())"
            + (table.claimable() == null ? "" : " AND (" + table.claimable() + ")")
            + " ORDER BY q."
            + table.order()
            + " LIMIT $3 FOR UPDATE SKIP LOCKED) c WHERE lq."
            + id
            + " = c."
            + id
            + " RETURNING lq."
            + id
            + ", lq.lease_token, lq.attempts, lq.status";
    this.renew =
        "UPDATE "
            + t
            + " SET lease_until = now() + $4 * interval '1 millisecond' WHERE "
            + id
            + " = $1 AND "
            + held
            + " RETURNING status";
    this.renewAll =
        "UPDATE "
            + t
            + " SET lease_until = now() + $4 * interval '1 millisecond' WHERE lease_owner = $1"
            + " AND ("
            + id
            + ", lease_token) IN (SELECT * FROM unnest($2::text[], $3::bigint[]))"
            + " AND status IN ("
            + active
            + ") RETURNING "
            + id;
    this.release =
        "UPDATE "
            + t
            + " SET lease_owner = NULL, lease_until = NULL WHERE "
            + id
            + " = $1 AND "
            + held;
    this.lock = "SELECT status FROM " + t + " WHERE " + id + " = $1 AND " + held + " FOR UPDATE";
    this.current = "SELECT status FROM " + t + " WHERE " + id + " = $1 FOR UPDATE";
    this.markCancelling =
        table.cancelling() == null
            ? null
            : "UPDATE "
                + t
                + " SET status = '"
                + table.cancelling()
                + "' WHERE "
                + id
                + " = $1 AND status = '"
                + QueueTable.RUNNING
                + "'";
  }

  /** The table this queue works on. */
  public QueueTable table() {
    return table;
  }

  /**
   * Claims up to {@code limit} rows for {@code owner}, oldest first: work nobody holds, or whose
   * lease ran out.
   */
  public Uni<List<Lease>> claim(String owner, int limit, Duration lease) {
    long sentAt = System.nanoTime();
    return pool.preparedQuery(claim)
        .execute(Tuple.of(owner, lease.toMillis(), limit))
        .map(
            rows -> {
              List<Lease> leases = new ArrayList<>();
              for (Row row : rows) {
                leases.add(
                    new Lease(
                        row.getString(0),
                        owner,
                        row.getLong(1),
                        row.getInteger(2),
                        row.getString(3),
                        sentAt));
              }
              return leases;
            });
  }

  /** Claims one row for {@code owner}, if there is one. */
  public Uni<Optional<Lease>> claimOne(String owner, Duration lease) {
    return claim(owner, 1, lease).map(leases -> leases.stream().findFirst());
  }

  /** Extends {@code lease} by {@code duration} from now, if it is still its holder's. */
  public Uni<Renewal> renew(Lease lease, Duration duration) {
    return pool.preparedQuery(renew)
        .execute(Tuple.of(lease.id(), lease.owner(), lease.token(), duration.toMillis()))
        .map(
            rows -> {
              if (rows.rowCount() == 0) {
                return Renewal.LOST;
              }
              String status = rows.iterator().next().getString(0);
              return status.equals(table.cancelling()) ? Renewal.CANCEL_REQUESTED : Renewal.HELD;
            });
  }

  /**
   * Extends the leases {@code owner} holds on many rows at once; returns the ids still held (a row
   * missing was taken over, or its work is over).
   */
  public Uni<Set<String>> renewAll(String owner, Collection<Lease> leases, Duration duration) {
    if (leases.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    String[] ids = leases.stream().map(Lease::id).toArray(String[]::new);
    Long[] tokens = leases.stream().map(Lease::token).toArray(Long[]::new);
    return pool.preparedQuery(renewAll)
        .execute(Tuple.of(owner, ids, tokens, duration.toMillis()))
        .map(
            rows -> {
              Set<String> held = new HashSet<>();
              rows.forEach(row -> held.add(row.getString(0)));
              return held;
            });
  }

  /** Gives {@code lease} up at once (its holder is stopping), so any worker may claim it now. */
  public Uni<Void> release(Lease lease) {
    return pool.preparedQuery(release)
        .execute(Tuple.of(lease.id(), lease.owner(), lease.token()))
        .replaceWithVoid();
  }

  /**
   * Locks the row of {@code lease} in {@code tx} for writing its outcome, fenced: its status while
   * the lease is still its holder's (the cancelling state included), empty when another holder has
   * it or its work is over. Write the outcome only when this returned a status.
   */
  public Uni<Optional<String>> lock(Tx tx, Lease lease) {
    return tx.sql()
        .preparedQuery(lock)
        .execute(Tuple.of(lease.id(), lease.owner(), lease.token()))
        .map(
            rows ->
                rows.rowCount() == 0
                    ? Optional.empty()
                    : Optional.of(rows.iterator().next().getString(0)));
  }

  /**
   * Asks in {@code tx} to cancel the work of row {@code id}: running work moves to the cancelling
   * state, which its holder's next renewal reports and its fenced finish turns into a cancelled
   * outcome; queued work is left for the caller to end in the same transaction.
   *
   * @return the status the row had, empty when there is no such row
   */
  public Uni<Optional<String>> requestCancel(Tx tx, String id) {
    if (markCancelling == null) {
      throw new IllegalStateException(table.table() + " has no cancelling state");
    }
    return tx.sql()
        .preparedQuery(current)
        .execute(Tuple.of(id))
        .flatMap(
            rows -> {
              if (rows.rowCount() == 0) {
                return Uni.createFrom().item(Optional.<String>empty());
              }
              String status = rows.iterator().next().getString(0);
              Uni<?> change =
                  QueueTable.RUNNING.equals(status)
                      ? tx.sql().preparedQuery(markCancelling).execute(Tuple.of(id))
                      : Uni.createFrom().voidItem();
              return change.replaceWith(Optional.of(status));
            });
  }

  /** Wakes this queue's idle workers once {@code tx} committed: it made work claimable. */
  public void wakeAfterCommit(Tx tx) {
    tx.afterCommit(new QueueWritten(table.table()));
  }
}

package dev.slipway.work.queue;

import java.util.List;
import java.util.Objects;

/**
 * A service's own table used as a leased work queue. Besides its domain columns it has the lease
 * columns every queue shares: {@code status}, {@code lease_owner}, {@code lease_token}, {@code
 * lease_until} and {@code attempts}.
 *
 * @param table the table
 * @param id its key column (text)
 * @param order the column claims follow, oldest first
 * @param active the states of work not over yet, which a worker may hold ({@code QUEUED}, {@code
 *     RUNNING}, and a cancel being carried out where the domain has one)
 * @param running the state a claim moves {@code QUEUED} work to; null to leave the status as it is
 *     (the worker moves it itself)
 * @param cancelling the state of running work a caller asked to cancel, whose fenced finish must
 *     end it cancelled; null when the domain has none
 * @param claimable an extra SQL condition on rows that may be claimed (alias {@code q}), e.g. a
 *     retry's {@code not_before}; null for none
 * @param onClaim extra SQL assignments made by a claim, e.g. {@code started_at = now()}; null for
 *     none
 */
public record QueueTable(
    String table,
    String id,
    String order,
    List<String> active,
    String running,
    String cancelling,
    String claimable,
    String onClaim) {

  /** The state of work no worker holds. */
  public static final String QUEUED = "QUEUED";

  /** The state of work a worker holds. */
  public static final String RUNNING = "RUNNING";

  public QueueTable {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(order, "order");
    active = List.copyOf(active);
    if (active.isEmpty()) {
      throw new IllegalArgumentException("a queue needs at least one active state");
    }
  }

  /** A queue of {@code QUEUED} and {@code RUNNING} work, claims moving it to {@code RUNNING}. */
  public static QueueTable of(String table, String id, String order) {
    return new QueueTable(table, id, order, List.of(QUEUED, RUNNING), RUNNING, null, null, null);
  }

  /** The same queue, with a state for running work asked to cancel. */
  public QueueTable withCancelling(String state) {
    List<String> states = new java.util.ArrayList<>(active);
    if (!states.contains(state)) {
      states.add(state);
    }
    return new QueueTable(table, id, order, states, running, state, claimable, onClaim);
  }

  /** The same queue, claiming only rows that also meet {@code condition} (alias {@code q}). */
  public QueueTable withClaimable(String condition) {
    return new QueueTable(table, id, order, active, running, cancelling, condition, onClaim);
  }

  /** The same queue, a claim also making {@code assignments}. */
  public QueueTable withOnClaim(String assignments) {
    return new QueueTable(table, id, order, active, running, cancelling, claimable, assignments);
  }

  /** The same queue, a claim leaving the status to the worker. */
  public QueueTable leavingStatusToTheWorker() {
    return new QueueTable(table, id, order, active, null, cancelling, claimable, onClaim);
  }

  /** The active states as a SQL list: {@code 'QUEUED', 'RUNNING'}. */
  String activeList() {
    return String.join(", ", active.stream().map(s -> "'" + s + "'").toList());
  }
}

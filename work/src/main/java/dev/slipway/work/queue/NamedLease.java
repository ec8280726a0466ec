package dev.slipway.work.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;

/**
 * Leases by name in the {@code work_lease} table: one holder at a time for something only one
 * instance of a service may do (its outbox relay). A lease nobody renewed within its duration is
 * free again; each new holder gets a new fencing token.
 */
public final class NamedLease {

  private static final String HOLD =
      """
      INSERT INTO work_lease (name, holder, token, expires_at)
      VALUES ($1, $2, nextval('work_lease_token'), now() + $3 * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE
        SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
            token = CASE WHEN work_lease.holder = EXCLUDED.holder
                         THEN work_lease.token ELSE EXCLUDED.token END
        WHERE work_lease.holder = EXCLUDED.holder OR work_lease.expires_at < now()
      RETURNING token
      """;

  private static final String RELEASE = "DELETE FROM work_lease WHERE name = $1 AND holder = $2";

  private final Pool pool;

  public NamedLease(Pool pool) {
    this.pool = pool;
  }

  /**
   * Takes or renews lease {@code name} for {@code holder} for {@code duration} from now: its
   * fencing token when {@code holder} holds it now (it was free, ran out, or was already its),
   * empty when another holds it.
   */
  public Uni<Optional<Long>> hold(String name, String holder, Duration duration) {
    return pool.preparedQuery(HOLD)
        .execute(Tuple.of(name, holder, duration.toMillis()))
        .map(
            rows ->
                rows.rowCount() == 0
                    ? Optional.empty()
                    : Optional.of(rows.iterator().next().getLong(0)));
  }

  /** Gives lease {@code name} up, if {@code holder} holds it, so another may take it at once. */
  public Uni<Void> release(String name, String holder) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(name, holder)).replaceWithVoid();
  }
}

package dev.slipway.trigger.repository;

import dev.slipway.trigger.GitProvider;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Webhook deliveries already acted on. {@link #once} runs the publishing of a delivery inside the
 * transaction that records it, so the record is committed only if the publishing succeeded, and a
 * concurrent copy of the same delivery (on this instance or another) waits on the primary key until
 * the first one committed (it then sees the row) or rolled back (it then takes over).
 */
@ApplicationScoped
public class DeliveryRepository {

  private static final String CLAIM =
      """
      INSERT INTO deliveries (provider, delivery_key, response, received_at)
      VALUES ($1, $2, $3, now())
      ON CONFLICT (provider, delivery_key) DO NOTHING
      """;

  private static final String ORIGINAL =
      "SELECT response FROM deliveries WHERE provider = $1 AND delivery_key = $2";

  private final Pool pool;

  public DeliveryRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Runs {@code work} once per delivery. Returns the answer to give: {@code response} the first
   * time, the stored answer of the first time on a redelivery. When {@code work} fails nothing is
   * recorded and the failure is passed on, so a retry of the delivery runs it again.
   */
  public Uni<Outcome> once(
      GitProvider provider, String deliveryKey, String response, Supplier<Uni<Void>> work) {
    Tuple key = Tuple.of(provider.id(), deliveryKey);
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(CLAIM)
                .execute(Tuple.of(provider.id(), deliveryKey, response))
                .flatMap(
                    inserted ->
                        inserted.rowCount() == 1
                            ? work.get().replaceWith(new Outcome(true, response))
                            : connection
                                .preparedQuery(ORIGINAL)
                                .execute(key)
                                .map(
                                    rows ->
                                        new Outcome(false, rows.iterator().next().getString(0)))));
  }

  /**
   * What became of a delivery.
   *
   * @param first whether this call did the work (false: a redelivery)
   * @param response the answer of the call that did the work
   */
  public record Outcome(boolean first, String response) {}
}

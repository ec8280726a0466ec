package dev.slipway.trigger.service;

import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.repository.DeliveryRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Deletes what no longer serves a purpose, in batches so no statement holds locks for long:
 * deliveries older than {@code retention.deliveries} (a host redelivers within days), pushes older
 * than the dedup window. (Published outbox rows are deleted by the outbox relay after {@code
 * outbox.retention}.) Every instance may run it; deleting twice is harmless.
 */
@ApplicationScoped
public class RetentionJob {

  private static final Logger LOG = Logger.getLogger(RetentionJob.class);
  private static final int BATCH = 1000;

  private final DeliveryRepository deliveries;
  private final TriggerConfig config;

  public RetentionJob(DeliveryRepository deliveries, TriggerConfig config) {
    this.deliveries = deliveries;
    this.config = config;
  }

  /** One pass over the two tables. */
  @Scheduled(
      identity = "trigger-retention",
      every = "${slipway.trigger.retention.interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public Uni<Void> purge() {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    OffsetDateTime deliveriesBefore = now.minus(config.retention().deliveries());
    OffsetDateTime pushesBefore = now.minus(config.dedupWindow());
    return all(limit -> deliveries.deleteDeliveriesBefore(deliveriesBefore, limit))
        .flatMap(
            deletedDeliveries ->
                all(limit -> deliveries.deletePushesBefore(pushesBefore, limit))
                    .invoke(
                        deletedPushes -> {
                          if (deletedDeliveries + deletedPushes > 0) {
                            LOG.infof(
                                "retention: deleted %d deliveries, %d pushes",
                                deletedDeliveries, deletedPushes);
                          }
                        }))
        .onFailure()
        .invoke(failure -> LOG.warnf("retention pass failed, next pass retries: %s", failure))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  private static Uni<Integer> all(Function<Integer, Uni<Integer>> deleteBatch) {
    return deleteBatch
        .apply(BATCH)
        .flatMap(
            deleted ->
                deleted < BATCH
                    ? Uni.createFrom().item(deleted)
                    : all(deleteBatch).map(more -> deleted + more));
  }
}

package dev.slipway.trigger.service;

import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.repository.DeliveryRepository;
import dev.slipway.trigger.repository.DeliveryRepository.Acceptance;
import dev.slipway.trigger.repository.DeliveryRepository.Delivery;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Group commit of webhooks: one PostgreSQL transaction, one commit (one fsync) for the webhooks
 * that arrive together. A webhook is written at once when fewer than {@code max-in-flight}
 * transactions are in progress; otherwise it waits for the next, and each transaction that ends
 * starts one with every webhook that waited (up to {@code max-batch}). So a lone webhook waits for
 * nobody, and under load the commits are shared without a timer.
 *
 * <p>Each webhook is answered only once the transaction holding its rows committed. The batch is
 * written by {@link DeliveryRepository#acceptAll}, each delivery as if alone and in arrival order;
 * two copies of one delivery key never share a batch (the second waits for the next, where it finds
 * the first's stored answer). If the batch's transaction fails for any reason (a deadlock with
 * another instance, a constraint, the database going away), nothing of it was stored and each of
 * its webhooks is written again in a transaction of its own, so one webhook's failure is only its
 * own.
 */
@ApplicationScoped
public class GroupCommit {

  private final DeliveryRepository deliveries;
  private final TriggerMetrics metrics;
  private final Duration window;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inFlight;

  public GroupCommit(DeliveryRepository deliveries, TriggerConfig config, TriggerMetrics metrics) {
    this.deliveries = deliveries;
    this.metrics = metrics;
    this.window = config.dedupWindow();
    this.maxBatch = Math.max(1, config.groupCommit().maxBatch());
    this.maxInFlight = Math.max(1, config.groupCommit().maxInFlight());
  }

  /**
   * Accepts {@code delivery} in the next transaction; emits on the caller's Vert.x context once it
   * committed.
   */
  public Uni<Acceptance> accept(Delivery delivery) {
    Executor back = EventLoop.current();
    return Uni.createFrom()
        .completionStage(
            () -> {
              Waiting entry = new Waiting(delivery, new CompletableFuture<>());
              synchronized (this) {
                waiting.add(entry);
              }
              writeNext();
              return entry.result();
            })
        .emitOn(back);
  }

  /**
   * Accepts {@code together} in one transaction now, whatever else is in progress (their delivery
   * keys distinct); each Uni emits its delivery's outcome once that transaction committed, or, if
   * it failed, once the delivery was written alone.
   */
  public List<Uni<Acceptance>> acceptTogether(List<Delivery> together) {
    List<Waiting> batch =
        together.stream().map(d -> new Waiting(d, new CompletableFuture<>())).toList();
    synchronized (this) {
      inFlight++;
    }
    write(batch);
    return batch.stream().map(entry -> Uni.createFrom().completionStage(entry.result())).toList();
  }

  /** Starts a transaction with the webhooks waiting, if one may start. */
  private void writeNext() {
    List<Waiting> batch;
    synchronized (this) {
      if (inFlight >= maxInFlight || waiting.isEmpty()) {
        return;
      }
      batch = take();
      inFlight++;
    }
    write(batch);
  }

  /** Writes {@code batch} in one transaction, counted in flight until it ended. */
  private void write(List<Waiting> batch) {
    metrics.groupCommit(batch.size());
    deliveries
        .acceptAll(batch.stream().map(Waiting::delivery).toList(), window)
        .subscribe()
        .with(
            acceptances -> {
              done();
              for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(acceptances.get(i));
              }
            },
            failure -> {
              done();
              if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(failure);
              } else {
                batch.forEach(this::alone);
              }
            });
  }

  /** The waiting webhooks of the next batch, in arrival order, each delivery key once. */
  private List<Waiting> take() {
    List<Waiting> batch = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    Iterator<Waiting> next = waiting.iterator();
    while (next.hasNext() && batch.size() < maxBatch) {
      Waiting entry = next.next();
      if (keys.add(entry.delivery().provider() + "\n" + entry.delivery().deliveryKey())) {
        batch.add(entry);
        next.remove();
      }
    }
    return batch;
  }

  private void done() {
    synchronized (this) {
      inFlight--;
    }
    writeNext();
  }

  /** After a failed batch: the webhook in a transaction of its own, its own outcome. */
  private void alone(Waiting entry) {
    Delivery delivery = entry.delivery();
    deliveries
        .accept(
            delivery.provider(),
            delivery.deliveryKey(),
            null,
            delivery.runs(),
            window,
            delivery.answer())
        .subscribe()
        .with(entry.result()::complete, entry.result()::completeExceptionally);
  }

  private record Waiting(Delivery delivery, CompletableFuture<Acceptance> result) {}
}

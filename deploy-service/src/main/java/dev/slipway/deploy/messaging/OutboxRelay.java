package dev.slipway.deploy.messaging;

import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.OutboxRepository;
import dev.slipway.events.ApprovalDecided;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.events.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Relays the outbox to Kafka: the oldest unsent events, one application's events one after the
 * other (applications side by side), each marked sent only after Kafka acknowledged it. It runs
 * right after a change wrote events and every poll interval; one relay at a time across instances
 * (an advisory lock held by its transaction), so events of an application keep their order. A crash
 * after Kafka's ack but before the mark republishes the same event id, which consumers' idempotency
 * absorbs.
 */
@ApplicationScoped
public class OutboxRelay {

  static final String DONE_CHANNEL = "deploy-done";
  static final String REQUESTED_CHANNEL = "promotion-requested";
  static final String DECIDED_CHANNEL = "approval-decided";

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

  private final OutboxRepository outbox;
  private final Pool pool;
  private final MutinyEmitter<DeployDone> done;
  private final MutinyEmitter<DeployRequested> requested;
  private final MutinyEmitter<ApprovalDecided> decided;
  private final DeployConfig.Outbox settings;
  private final Vertx vertx;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private volatile long timerId = -1;

  public OutboxRelay(
      OutboxRepository outbox,
      Pool pool,
      @Channel(DONE_CHANNEL) MutinyEmitter<DeployDone> done,
      @Channel(REQUESTED_CHANNEL) MutinyEmitter<DeployRequested> requested,
      @Channel(DECIDED_CHANNEL) MutinyEmitter<ApprovalDecided> decided,
      DeployConfig config,
      Vertx vertx) {
    this.outbox = outbox;
    this.pool = pool;
    this.done = done;
    this.requested = requested;
    this.decided = decided;
    this.settings = config.outbox();
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent event) {
    timerId = vertx.setPeriodic(settings.pollInterval().toMillis(), ignored -> nudge());
  }

  void stop(@Observes ShutdownEvent event) {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /** Relays soon: called after a change wrote events. */
  public void nudge() {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    relayBatch()
        .subscribe()
        .with(
            relayed -> {
              running.set(false);
              if (again.getAndSet(false) || relayed == settings.batchSize()) {
                nudge();
              }
            },
            failure -> {
              running.set(false);
              again.set(false);
              LOG.warnf("relaying the outbox failed, trying again later: %s", failure.toString());
            });
  }

  private Uni<Integer> relayBatch() {
    return pool.withTransaction(
        tx ->
            outbox
                .lockRelay(tx)
                .flatMap(
                    locked ->
                        !locked
                            ? Uni.createFrom().item(0)
                            : outbox
                                .unsent(tx, settings.batchSize())
                                .flatMap(
                                    pending ->
                                        pending.isEmpty()
                                            ? Uni.createFrom().item(0)
                                            : send(pending)
                                                .call(
                                                    () ->
                                                        outbox.markSent(
                                                            tx,
                                                            pending.stream()
                                                                .map(OutboxRepository.Pending::seq)
                                                                .toList()))
                                                .replaceWith(pending.size()))));
  }

  private Uni<Void> send(List<OutboxRepository.Pending> pending) {
    Map<String, List<OutboxRepository.Pending>> byApplication = new LinkedHashMap<>();
    pending.forEach(
        event ->
            byApplication.computeIfAbsent(event.application(), k -> new ArrayList<>()).add(event));
    List<Uni<Void>> chains = new ArrayList<>();
    for (List<OutboxRepository.Pending> events : byApplication.values()) {
      Uni<Void> chain = Uni.createFrom().voidItem();
      for (OutboxRepository.Pending event : events) {
        chain = chain.call(() -> publish(event));
      }
      chains.add(chain);
    }
    return Uni.join()
        .all(chains)
        .andFailFast()
        .replaceWithVoid()
        .ifNoItem()
        .after(settings.publishTimeout())
        .fail();
  }

  @SuppressWarnings("unchecked")
  private Uni<Void> publish(OutboxRepository.Pending pending) {
    Envelope<?> event = EventJson.readAnyEvent(pending.event().getBytes(StandardCharsets.UTF_8));
    Message<?> message = KafkaCloudEvents.toMessage(event);
    return switch (pending.topic()) {
      case Topics.DEPLOY_DONE -> done.sendMessage((Message<DeployDone>) message);
      case Topics.APPROVAL_DECIDED -> decided.sendMessage((Message<ApprovalDecided>) message);
      default -> requested.sendMessage((Message<DeployRequested>) message);
    };
  }
}

package dev.slipway.build.messaging;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.repository.OutboxRepository;
import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * The outbox relay: publishes the build.done events that finished builds wrote to the outbox, in
 * the order they were written, and marks each sent only after Kafka acknowledged it (acks=all). A
 * broker that does not answer leaves the events unsent for the next round; a crash between the ack
 * and the mark republishes an event with the same id, which consumers drop as a duplicate.
 */
@ApplicationScoped
public class BuildDonePublisher {

  static final String CHANNEL = "build-done";

  private static final Logger LOG = Logger.getLogger(BuildDonePublisher.class);
  private static final int BATCH = 100;

  private final MutinyEmitter<BuildDone> emitter;
  private final OutboxRepository outbox;
  private final BuildConfig config;
  private final MeterRegistry metrics;
  private final Semaphore wake = new Semaphore(0);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private Thread relay;

  public BuildDonePublisher(
      @Channel(CHANNEL) MutinyEmitter<BuildDone> emitter,
      OutboxRepository outbox,
      BuildConfig config,
      MeterRegistry metrics) {
    this.emitter = emitter;
    this.outbox = outbox;
    this.config = config;
    this.metrics = metrics;
  }

  void start(@Observes StartupEvent event) {
    relay = new Thread(this::loop, "build-done-relay");
    relay.setDaemon(true);
    relay.start();
  }

  void stop(@Observes ShutdownEvent event) {
    stopping.set(true);
    wake.release();
  }

  /** Something was written to the outbox: publish it now rather than at the next poll. */
  public void nudge() {
    wake.release();
  }

  private void loop() {
    while (!stopping.get()) {
      try {
        int sent =
            outbox
                .relay(BATCH, pending -> publish(EventJson.readAnyEvent(pending.event())))
                .await()
                .atMost(config.outbox().publishTimeout().multipliedBy(BATCH + 1L));
        if (sent == BATCH) {
          continue;
        }
      } catch (RuntimeException e) {
        LOG.warnf("build.done relay: %s; retrying", e.getMessage());
      }
      try {
        wake.tryAcquire(config.outbox().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        wake.drainPermits();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private Uni<Void> publish(Envelope<?> event) {
    if (!EventType.BUILD_DONE.ceType().equals(event.type())) {
      return Uni.createFrom()
          .failure(new IllegalStateException("unexpected event in the outbox: " + event.type()));
    }
    Envelope<BuildDone> buildDone = (Envelope<BuildDone>) event;
    Duration timeout = config.outbox().publishTimeout();
    return Uni.createFrom()
        .deferred(() -> emitter.sendMessage(KafkaCloudEvents.toMessage(buildDone)))
        .ifNoItem()
        .after(timeout)
        .fail()
        .invoke(
            () -> {
              metrics.counter("slipway.build.done.published").increment();
              LOG.infof(
                  "run %s: build.done %s of %s published (%s)",
                  buildDone.runId(),
                  buildDone.id(),
                  buildDone.subject(),
                  buildDone.data().status());
            });
  }
}

package dev.slipway.trigger.messaging;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.problem.KafkaUnavailableException;
import dev.slipway.trigger.service.TriggerMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Publishes commit.received and completes only when Kafka acknowledged the record (acks=all). A
 * broker that cannot take it within the publish timeout fails the call with a 503 problem.
 */
@ApplicationScoped
public class CommitPublisher {

  static final String CHANNEL = "commit-received";

  private static final Logger LOG = Logger.getLogger(CommitPublisher.class);

  private final MutinyEmitter<CommitReceived> emitter;
  private final TriggerConfig config;
  private final TriggerMetrics metrics;

  public CommitPublisher(
      @Channel(CHANNEL) MutinyEmitter<CommitReceived> emitter,
      TriggerConfig config,
      TriggerMetrics metrics) {
    this.emitter = emitter;
    this.config = config;
    this.metrics = metrics;
  }

  /** Sends {@code event}; the returned Uni completes once Kafka has it. */
  public Uni<Void> publish(Envelope<CommitReceived> event) {
    Context context = Vertx.currentContext();
    long start = System.nanoTime();
    return Uni.createFrom()
        .deferred(() -> emitter.sendMessage(KafkaCloudEvents.toMessage(event)))
        .ifNoItem()
        .after(config.publishTimeout())
        .fail()
        .onItemOrFailure()
        .invoke((done, failure) -> metrics.published(since(start), failure == null))
        .onFailure()
        .transform(
            failure -> {
              LOG.warnf(
                  "run %s: Kafka did not acknowledge commit.received of %s: %s",
                  event.runId(), event.subject(), failure.toString());
              return new KafkaUnavailableException(
                  "Kafka did not acknowledge the commit.received record in time; retry later.",
                  config.retryAfterSeconds());
            })
        .invoke(
            () ->
                LOG.infof(
                    "run %s: commit.received %s of %s at %s published",
                    event.runId(), event.id(), event.subject(), event.commitSha()))
        // Kafka acknowledges on its own I/O thread; go on where the request started.
        .emitOn(onContext(context));
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static Executor onContext(Context context) {
    return context == null ? Runnable::run : task -> context.runOnContext(ignored -> task.run());
  }
}

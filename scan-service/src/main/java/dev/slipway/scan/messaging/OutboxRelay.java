package dev.slipway.scan.messaging;

import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.events.ScanDone;
import dev.slipway.events.Topics;
import dev.slipway.events.VulnerabilityFound;
import dev.slipway.scan.OutboxWritten;
import dev.slipway.scan.config.ScanConfig;
import dev.slipway.scan.repository.OutboxRepository;
import dev.slipway.scan.repository.OutboxRepository.PendingEvent;
import dev.slipway.scan.service.WakeUpSignal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox to Kafka: scan.done, deploy.requested and vulnerability.found, in the order
 * they were stored, each marked sent only after Kafka acknowledged it (acks=all). A broker that
 * does not answer within the publish timeout stops the pass; the event stays and the next pass
 * sends it again with the same id, which consumers' idempotency absorbs. Runs on its own thread,
 * woken when a scan stores events and every poll interval for those of other instances.
 */
@ApplicationScoped
public class OutboxRelay {

  static final String SCAN_DONE_CHANNEL = "scan-done";
  static final String DEPLOY_REQUESTED_CHANNEL = "deploy-requested";
  static final String VULNERABILITY_FOUND_CHANNEL = "vulnerability-found";

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

  private final MutinyEmitter<ScanDone> scanDone;
  private final MutinyEmitter<DeployRequested> deployRequested;
  private final MutinyEmitter<VulnerabilityFound> vulnerabilityFound;
  private final OutboxRepository outbox;
  private final ScanConfig config;
  private final Counter published;
  private final Counter failed;
  private final WakeUpSignal signal = new WakeUpSignal();
  private volatile boolean running;
  private ExecutorService thread;

  public OutboxRelay(
      @Channel(SCAN_DONE_CHANNEL) MutinyEmitter<ScanDone> scanDone,
      @Channel(DEPLOY_REQUESTED_CHANNEL) MutinyEmitter<DeployRequested> deployRequested,
      @Channel(VULNERABILITY_FOUND_CHANNEL) MutinyEmitter<VulnerabilityFound> vulnerabilityFound,
      OutboxRepository outbox,
      ScanConfig config,
      MeterRegistry registry) {
    this.scanDone = scanDone;
    this.deployRequested = deployRequested;
    this.vulnerabilityFound = vulnerabilityFound;
    this.outbox = outbox;
    this.config = config;
    this.published = registry.counter("slipway.scan.outbox.published");
    this.failed = registry.counter("slipway.scan.outbox.publish.failures");
  }

  void start(@Observes StartupEvent startup) {
    if (!config.relay().enabled()) {
      LOG.info("outbox relay disabled by configuration");
      return;
    }
    running = true;
    thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "outbox-relay"));
    thread.submit(this::loop);
  }

  void stop(@Observes ShutdownEvent shutdown) {
    running = false;
    wake();
    if (thread != null) {
      thread.shutdownNow();
    }
  }

  /** Asks the relay to look at the outbox now. */
  public void wake() {
    signal.wake();
  }

  void written(@Observes OutboxWritten written) {
    wake();
  }

  /** Publish attempts Kafka did not acknowledge in time, since start. */
  public double failures() {
    return failed.count();
  }

  /** One pass over the outbox: publishes what waits, in order; returns how many were sent. */
  public Uni<Integer> publishPending() {
    return outbox.relay(config.relay().batchSize(), this::publishInOrder);
  }

  private void loop() {
    while (running) {
      try {
        int sent;
        do {
          sent = publishPending().await().atMost(Duration.ofMinutes(5));
        } while (running && sent == config.relay().batchSize());
      } catch (RuntimeException e) {
        LOG.warnf("outbox relay pass failed, retrying: %s", e.toString());
      }
      waitForSignal(config.relay().pollInterval());
    }
  }

  private void waitForSignal(Duration timeout) {
    if (!signal.await(timeout)) {
      running = false;
    }
  }

  private Uni<Integer> publishInOrder(SqlConnection connection, List<PendingEvent> events) {
    return publishFrom(connection, events, 0);
  }

  private Uni<Integer> publishFrom(SqlConnection connection, List<PendingEvent> events, int next) {
    if (next == events.size()) {
      return Uni.createFrom().item(next);
    }
    PendingEvent event = events.get(next);
    return send(event)
        .ifNoItem()
        .after(config.relay().publishTimeout())
        .fail()
        .flatMap(acked -> outbox.markSent(connection, event.seq()))
        .invoke(() -> published.increment())
        .flatMap(marked -> publishFrom(connection, events, next + 1))
        .onFailure()
        .recoverWithItem(
            failure -> {
              failed.increment();
              LOG.warnf(
                  "Kafka did not acknowledge %s %s; it stays in the outbox: %s",
                  event.topic(), event.eventId(), failure.toString());
              // Commit what was acknowledged before; this event is retried by the next pass.
              return next;
            });
  }

  @SuppressWarnings("unchecked")
  private Uni<Void> send(PendingEvent event) {
    Envelope<?> envelope = EventJson.readAnyEvent(event.json().getBytes(StandardCharsets.UTF_8));
    return switch (event.topic()) {
      case Topics.SCAN_DONE -> {
        Message<ScanDone> message = KafkaCloudEvents.toMessage((Envelope<ScanDone>) envelope);
        yield Uni.createFrom().deferred(() -> scanDone.sendMessage(message));
      }
      case Topics.DEPLOY_REQUESTED -> {
        Message<DeployRequested> message =
            KafkaCloudEvents.toMessage((Envelope<DeployRequested>) envelope);
        yield Uni.createFrom().deferred(() -> deployRequested.sendMessage(message));
      }
      case Topics.VULNERABILITY_FOUND -> {
        Message<VulnerabilityFound> message =
            KafkaCloudEvents.toMessage((Envelope<VulnerabilityFound>) envelope);
        yield Uni.createFrom().deferred(() -> vulnerabilityFound.sendMessage(message));
      }
      default -> throw new IllegalStateException("no channel for topic " + event.topic());
    };
  }
}

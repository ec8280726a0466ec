package dev.slipway.trigger.messaging;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.repository.OutboxRepository;
import dev.slipway.trigger.repository.OutboxRepository.Entry;
import dev.slipway.trigger.service.TriggerMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox to {@code commit.received}: reads unsent rows in id order, sends them in
 * that order (one application's records go to one partition, and the idempotent producer keeps
 * their order there), and marks each row sent only once Kafka acknowledged it, so a crash at any
 * point republishes rather than loses, and the republished record carries the same event id.
 *
 * <p>One instance relays at a time (a lease row in the database, renewed while it works), so two
 * instances never interleave one application's records. A round waits for every send it started
 * (the producer retries inside its own {@code delivery.timeout.ms}, without duplicates, so a broker
 * outage shorter than that publishes each record exactly once); then failed rows are retried with
 * back-off. A row Kafka can never take (too large, unreadable) is parked with the reason, so it
 * cannot hold up the rows behind it. A commit wakes the relay at once; otherwise it polls. See
 * {@code DESIGN.md} in this package.
 */
@ApplicationScoped
public class CommitRelay {

  static final String CHANNEL = "commit-received";
  static final String LEASE = "commit-received";

  private static final Logger LOG = Logger.getLogger(CommitRelay.class);

  private final MutinyEmitter<CommitReceived> emitter;
  private final OutboxRepository outbox;
  private final TriggerConfig.Outbox config;
  private final TriggerMetrics metrics;
  private final Vertx vertx;
  private final String holder = "relay-" + UUID.randomUUID();

  // Touched only on the relay's own Vert.x context.
  private Context context;
  private boolean running;
  private boolean wakeRequested;
  private boolean stopped;
  private long timer = -1;
  private int failedRounds;
  private volatile boolean leaseHeld;
  private long leaseTimer = -1;
  private long statsTimer = -1;

  public CommitRelay(
      @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
          MutinyEmitter<CommitReceived> emitter,
      OutboxRepository outbox,
      TriggerConfig config,
      TriggerMetrics metrics,
      Vertx vertx) {
    this.emitter = emitter;
    this.outbox = outbox;
    this.config = config.outbox();
    this.metrics = metrics;
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent started) {
    context = vertx.getOrCreateContext();
    context.runOnContext(
        ignored -> {
          Duration lease = config.leaseDuration();
          leaseTimer = vertx.setPeriodic(Math.max(100, lease.toMillis() / 3), id -> renewLease());
          statsTimer = vertx.setPeriodic(config.statsInterval().toMillis(), id -> readBacklog());
          readBacklog();
          runRound();
        });
  }

  void stop(@Observes ShutdownEvent stopping) {
    if (context != null) {
      context.runOnContext(
          ignored -> {
            stopped = true;
            vertx.cancelTimer(timer);
            vertx.cancelTimer(leaseTimer);
            vertx.cancelTimer(statsTimer);
          });
    }
    if (leaseHeld) {
      // Another instance can take over at once instead of waiting for the lease to run out.
      try {
        outbox.releaseLease(LEASE, holder).await().atMost(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        LOG.debugf("relay lease not released, it runs out by itself: %s", e.toString());
      }
    }
  }

  /** Publishes soon: a transaction just committed outbox rows. */
  public void wake() {
    if (context == null) {
      return;
    }
    context.runOnContext(
        ignored -> {
          if (running) {
            wakeRequested = true;
          } else if (!stopped) {
            vertx.cancelTimer(timer);
            runRound();
          }
        });
  }

  private void runRound() {
    running = true;
    wakeRequested = false;
    round()
        .emitOn(task -> context.runOnContext(ignored -> task.run()))
        .subscribe()
        .with(
            published -> {
              running = false;
              failedRounds = 0;
              schedule(published > 0 || wakeRequested ? Duration.ZERO : config.pollInterval());
            },
            failure -> {
              running = false;
              failedRounds++;
              Duration pause = backoff(failedRounds);
              LOG.warnf(
                  "outbox relay round failed (%d in a row), next in %d ms: %s",
                  failedRounds, pause.toMillis(), failure.toString());
              schedule(pause);
            });
  }

  private void schedule(Duration delay) {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> runRound());
    }
  }

  private Duration backoff(int failures) {
    long millis = config.backoff().toMillis() << Math.min(failures - 1, 16);
    return Duration.ofMillis(Math.min(millis, config.maxBackoff().toMillis()));
  }

  /** One round: publishes up to a batch; returns how many rows Kafka acknowledged. */
  private Uni<Integer> round() {
    return outbox
        .holdLease(LEASE, holder, config.leaseDuration())
        .invoke(held -> leaseHeld = held)
        .flatMap(
            held ->
                held
                    ? outbox.unsent(config.batchSize()).flatMap(this::publish)
                    : Uni.createFrom().item(0));
  }

  private Uni<Integer> publish(List<Entry> entries) {
    if (entries.isEmpty()) {
      return Uni.createFrom().item(0);
    }
    // Sent one after another in id order, awaited together.
    List<Uni<Result>> sends = new ArrayList<>();
    for (Entry entry : entries) {
      sends.add(send(entry).memoize().indefinitely());
    }
    sends.forEach(send -> send.subscribe().with(ignored -> {}, ignored -> {}));
    return Uni.join()
        .all(sends)
        .andFailFast()
        .flatMap(
            results -> {
              List<Long> acked = new ArrayList<>();
              List<Result> parked = new ArrayList<>();
              Throwable retry = null;
              for (Result result : results) {
                if (result.failure() == null) {
                  acked.add(result.entry().id());
                } else if (isPermanent(result.failure())) {
                  parked.add(result);
                } else if (retry == null) {
                  retry = result.failure();
                }
              }
              Throwable failed = retry;
              return outbox
                  .markSent(acked)
                  .call(() -> parkAll(parked))
                  .invoke(() -> readBacklog())
                  .flatMap(
                      done ->
                          failed == null
                              ? Uni.createFrom().item(acked.size() + parked.size())
                              : Uni.createFrom().failure(failed));
            });
  }

  private Uni<Result> send(Entry entry) {
    long start = System.nanoTime();
    Envelope<CommitReceived> event;
    try {
      event =
          EventJson.readEvent(
              entry.event().getBytes(StandardCharsets.UTF_8), EventType.COMMIT_RECEIVED);
    } catch (EventFormatException e) {
      return Uni.createFrom().item(new Result(entry, e));
    }
    return emitter
        .sendMessage(KafkaCloudEvents.toMessage(event))
        .onItemOrFailure()
        .transform(
            (done, failure) -> {
              metrics.published(Duration.ofNanos(System.nanoTime() - start), failure == null);
              if (failure == null) {
                LOG.infof(
                    "run %s: commit.received %s of %s at %s published",
                    event.runId(), event.id(), event.subject(), event.commitSha());
              }
              return new Result(entry, failure);
            });
  }

  private Uni<Void> parkAll(List<Result> parked) {
    Uni<Void> parking = Uni.createFrom().voidItem();
    for (Result result : parked) {
      parking = parking.call(() -> park(result));
    }
    return parking;
  }

  private Uni<Void> park(Result result) {
    String reason = String.valueOf(result.failure());
    LOG.errorf(
        "outbox row %d (event %s of %s) parked, Kafka can never take it: %s",
        result.entry().id(), result.entry().eventId(), result.entry().application(), reason);
    metrics.parked();
    return outbox.park(result.entry().id(), reason);
  }

  /** Failures that no retry can cure: the record itself is the problem. */
  static boolean isPermanent(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RecordTooLargeException
          || t instanceof RecordBatchTooLargeException
          || t instanceof InvalidRecordException
          || t instanceof SerializationException
          || t instanceof EventFormatException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private void renewLease() {
    if (leaseHeld && !stopped) {
      outbox
          .holdLease(LEASE, holder, config.leaseDuration())
          .subscribe()
          .with(held -> leaseHeld = held, failure -> leaseHeld = false);
    }
  }

  private void readBacklog() {
    outbox
        .backlog()
        .subscribe()
        .with(
            backlog -> metrics.backlog(backlog.unsent(), backlog.oldest()),
            failure -> LOG.debugf("outbox backlog not readable: %s", failure.toString()));
  }

  private record Result(Entry entry, Throwable failure) {}
}

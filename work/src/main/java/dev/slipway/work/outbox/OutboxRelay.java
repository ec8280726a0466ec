package dev.slipway.work.outbox;

import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.events.Topics;
import dev.slipway.work.WakeUp;
import dev.slipway.work.queue.Heartbeat;
import dev.slipway.work.queue.Heartbeats;
import dev.slipway.work.queue.LeaseTiming;
import dev.slipway.work.queue.NamedLease;
import dev.slipway.work.queue.Renewal;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes a service's outbox to Kafka, the one relay every service runs. One instance of a
 * service relays at a time (the lease {@value #LEASE}, renewed by a heartbeat while it works; a
 * relay that cannot renew stops sending before another instance can take over). A round reads up to
 * a batch of unsent rows in id order, sends them all (records are keyed by application and the
 * idempotent producer keeps each partition's order), waits for every acknowledgement, then marks
 * the acknowledged rows sent. A row Kafka refuses for its content is parked with the reason and the
 * rows behind it go on; any other failure leaves its row unsent and the next round, after a
 * back-off, sends it again with the same event id. A commit that added rows wakes the relay;
 * otherwise it polls. Sent rows are deleted after the retention. See {@code DESIGN.md} beside this
 * class.
 */
@ApplicationScoped
public class OutboxRelay {

  /** The name of the relay's lease in {@code work_lease}. */
  public static final String LEASE = "outbox-relay";

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
  private static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(30);
  private static final int PURGE_BATCH = 1000;

  private final OutboxStore store;
  private final NamedLease leases;
  private final OutboxSettings settings;
  private final OutboxMetrics metrics;
  private final Map<String, Object> producerConfig;
  private final Set<String> topics;
  private final String holder;
  private final LeaseTiming timing;
  private final WakeUp wakeUp = new WakeUp();
  private volatile boolean running;
  private Heartbeats heartbeats;
  private Producer<String, byte[]> producer;
  private Thread thread;
  // Touched only by the relay's thread.
  private Heartbeat lease;
  private long nextPurge;

  @Inject
  public OutboxRelay(
      OutboxStore store,
      Pool pool,
      OutboxSettings settings,
      OutboxMetrics metrics,
      @Identifier("default-kafka-broker") Map<String, Object> kafka,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this(store, new NamedLease(pool), settings, metrics, kafka, service);
  }

  /**
   * A relay of {@code store} for {@code service}, whose producer is made from the Kafka client
   * settings {@code kafka} ({@code bootstrap.servers}, security) and {@code settings}.
   */
  public OutboxRelay(
      OutboxStore store,
      NamedLease leases,
      OutboxSettings settings,
      OutboxMetrics metrics,
      Map<String, Object> kafka,
      String service) {
    this.store = store;
    this.leases = leases;
    this.settings = settings;
    this.metrics = metrics;
    this.producerConfig = producerConfig(kafka, settings, service);
    this.topics = new HashSet<>(settings.topics());
    this.topics.add(Topics.ADMIN_ACTION);
    this.holder = service + "-" + hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.timing = LeaseTiming.of(settings.leaseDuration());
  }

  /** The producer settings: the service's Kafka client settings with the outbox's on top. */
  static Map<String, Object> producerConfig(
      Map<String, Object> kafka, OutboxSettings settings, String service) {
    Map<String, Object> config = new HashMap<>(kafka);
    config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
    config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, service + "-outbox");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    config.put(ProducerConfig.LINGER_MS_CONFIG, (int) settings.linger().toMillis());
    config.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.requestTimeout().toMillis());
    config.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) settings.deliveryTimeout().toMillis());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.requestTimeout().toMillis());
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, settings.maxRequestSize());
    return config;
  }

  void started(@Observes StartupEvent event) {
    start();
  }

  void stopping(@Observes ShutdownEvent event) {
    stop();
  }

  void written(@Observes OutboxWritten event) {
    wake();
  }

  /** Starts relaying: the producer, the relay's thread and the gauges' refresh. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    heartbeats = new Heartbeats("outbox-relay");
    producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
    long stats = settings.statsInterval().toMillis();
    heartbeats.timer().scheduleWithFixedDelay(this::refreshStats, 0, stats, TimeUnit.MILLISECONDS);
    thread = new Thread(this::loop, "outbox-relay");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops relaying: the round in progress ends, the lease is given up for another instance. */
  public void stop() {
    Thread relay;
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
      relay = thread;
    }
    wakeUp.wake();
    try {
      relay.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    heartbeats.close();
    producer.close(Duration.ofSeconds(5));
  }

  /** Publishes soon: rows were added. */
  public void wake() {
    wakeUp.wake();
  }

  /** Whether this instance holds the relay lease now. */
  public boolean leads() {
    Heartbeat held = lease;
    return held != null && held.held();
  }

  private void loop() {
    int failedRounds = 0;
    while (running) {
      try {
        if (!holdLease()) {
          wakeUp.await(timing.renewEvery());
          continue;
        }
        purgeIfDue();
        int done = round();
        failedRounds = 0;
        if (done < settings.batchSize()) {
          wakeUp.await(settings.pollInterval());
        }
      } catch (RuntimeException e) {
        failedRounds++;
        Duration pause = backoff(failedRounds);
        LOG.warnf(
            "outbox relay round failed (%d in a row), next in %d ms: %s",
            failedRounds, pause.toMillis(), e.toString());
        sleep(pause);
      }
    }
    Heartbeat held = lease;
    if (held != null) {
      held.close();
      try {
        // Another instance can take over at once instead of waiting for the lease to run out.
        leases.release(LEASE, holder).await().atMost(Duration.ofSeconds(2));
      } catch (RuntimeException e) {
        LOG.debugf("relay lease not released, it runs out by itself: %s", e.toString());
      }
    }
  }

  /**
   * Whether this instance holds the lease, taking it when it is free: confirmed in the database
   * before every round (so no round starts on a lease that is another's) and kept by the heartbeat
   * while a round waits for Kafka.
   */
  private boolean holdLease() {
    long sentAt = System.nanoTime();
    boolean held =
        leases.hold(LEASE, holder, timing.lease()).await().atMost(DATABASE_TIMEOUT).isPresent();
    if (lease != null) {
      if (held && lease.held()) {
        return true;
      }
      lease.close();
      lease = null;
      LOG.warn("outbox relay lease lost; this instance stopped relaying");
    }
    if (!held) {
      return false;
    }
    lease =
        heartbeats.keep(
            "outbox relay",
            timing,
            sentAt,
            () ->
                leases
                    .hold(LEASE, holder, timing.lease())
                    .map(token -> token.isPresent() ? Renewal.HELD : Renewal.LOST),
            why -> LOG.warnf("outbox relay lease lost: %s", why));
    LOG.infof("outbox relay: %s relays now", holder);
    return true;
  }

  /**
   * One round: publishes up to a batch of unsent rows; returns how many left the backlog (sent or
   * parked). Throws when some rows could not be sent now, after recording what was.
   */
  int round() {
    List<OutboxStore.Unsent> rows =
        store.unsent(settings.batchSize()).await().atMost(DATABASE_TIMEOUT);
    if (rows.isEmpty()) {
      return 0;
    }
    List<Send> sends = new ArrayList<>(rows.size());
    for (OutboxStore.Unsent row : rows) {
      if (!leads()) {
        break;
      }
      Send send = send(row);
      sends.add(send);
      if (send.blocked()) {
        // The producer could not even take it (no metadata, buffer full): the rest would wait too.
        break;
      }
    }
    // The round's records are all handed over: send them now, in the batches they filled, rather
    // than after the producer's linger (which only ever waits for records this round does not
    // have).
    flush();
    awaitAll(sends);
    List<Long> acked = new ArrayList<>();
    Map<String, Integer> perTopic = new HashMap<>();
    Throwable retry = null;
    int parked = 0;
    for (Send send : sends) {
      Throwable failure = send.failure();
      if (failure == null) {
        acked.add(send.row().id());
        perTopic.merge(send.row().topic(), 1, Integer::sum);
      } else if (KafkaRefusals.refusedForItsContent(failure)) {
        park(send.row(), failure);
        parked++;
      } else {
        metrics.unacknowledged();
        retry = retry == null ? failure : retry;
      }
    }
    store.markSent(acked).await().atMost(DATABASE_TIMEOUT);
    perTopic.forEach(metrics::published);
    if (retry != null) {
      throw new IllegalStateException(
          "Kafka did not acknowledge " + (sends.size() - acked.size() - parked) + " records",
          retry);
    }
    return acked.size() + parked;
  }

  private Send send(OutboxStore.Unsent row) {
    CompletableFuture<Void> ack = new CompletableFuture<>();
    boolean blocked = false;
    try {
      if (!topics.contains(row.topic())) {
        throw new KafkaRefusals.UndeclaredTopicException(row.topic());
      }
      ProducerRecord<String, byte[]> record =
          KafkaCloudEvents.toRecord(
              row.topic(), row.event().getBytes(StandardCharsets.UTF_8), row.traceparent());
      long sentAt = System.nanoTime();
      producer.send(
          record,
          (metadata, failure) -> {
            if (failure == null) {
              metrics.acknowledged(Duration.ofNanos(System.nanoTime() - sentAt));
              ack.complete(null);
            } else {
              ack.completeExceptionally(failure);
            }
          });
    } catch (KafkaException e) {
      blocked = !KafkaRefusals.refusedForItsContent(e);
      ack.completeExceptionally(e);
    } catch (RuntimeException e) {
      ack.completeExceptionally(e);
    }
    return new Send(row, ack, blocked);
  }

  private void flush() {
    try {
      producer.flush();
    } catch (KafkaException e) {
      // Each send's own outcome is read from its acknowledgement.
      LOG.debugf("outbox relay: flush failed: %s", e.toString());
    }
  }

  private void awaitAll(List<Send> sends) {
    CompletableFuture<?>[] acks = sends.stream().map(Send::ack).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(acks)
          .get(settings.deliveryTimeout().plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // Each send's own outcome is read below.
    } catch (TimeoutException e) {
      LOG.warnf("Kafka answered %d sends within the delivery timeout only in part", sends.size());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void park(OutboxStore.Unsent row, Throwable failure) {
    String reason = String.valueOf(failure);
    LOG.errorf(
        "outbox row %d (event %s of %s to %s) parked, Kafka refuses it: %s",
        row.id(), row.eventId(), row.application(), row.topic(), reason);
    metrics.refused();
    store.park(row.id(), reason).await().atMost(DATABASE_TIMEOUT);
  }

  private void purgeIfDue() {
    long now = System.nanoTime();
    if (now - nextPurge < 0) {
      return;
    }
    nextPurge = now + settings.retentionInterval().toNanos();
    OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(settings.retention());
    int deleted = 0;
    int batch;
    do {
      batch = store.deleteSentBefore(cutoff, PURGE_BATCH).await().atMost(DATABASE_TIMEOUT);
      deleted += batch;
    } while (batch == PURGE_BATCH && running);
    if (deleted > 0) {
      LOG.infof("outbox retention: deleted %d rows sent before %s", deleted, cutoff);
    }
  }

  private void refreshStats() {
    store
        .backlog()
        .subscribe()
        .with(
            metrics::backlog,
            failure -> LOG.debugf("outbox backlog not readable: %s", failure.toString()));
  }

  private Duration backoff(int failures) {
    long millis = settings.backoff().toMillis() << Math.min(failures - 1, 16);
    return Duration.ofMillis(Math.min(millis, settings.maxBackoff().toMillis()));
  }

  private void sleep(Duration pause) {
    long until = System.nanoTime() + pause.toNanos();
    while (running && System.nanoTime() < until) {
      try {
        Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /** One row handed to the producer, and what became of it. */
  private record Send(OutboxStore.Unsent row, CompletableFuture<Void> ack, boolean blocked) {

    /** Why it was not acknowledged; null when it was. */
    Throwable failure() {
      if (!ack.isDone()) {
        return new TimeoutException("no answer from Kafka");
      }
      if (!ack.isCompletedExceptionally()) {
        return null;
      }
      try {
        ack.join();
        return null;
      } catch (java.util.concurrent.CompletionException e) {
        return e.getCause() == null ? e : e.getCause();
      } catch (java.util.concurrent.CancellationException e) {
        return e;
      }
    }
  }
}

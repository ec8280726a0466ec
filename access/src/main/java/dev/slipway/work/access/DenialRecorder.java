package dev.slipway.work.access;

import dev.slipway.events.AccessDenied;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps every refused API call (401, 403) for the audit store as {@code access.denied}: identical
 * refusals (service, status, actor, method, path) within one window become one event with their
 * count, and at most {@value #MAX_PENDING} distinct ones wait per window (the rest are counted as
 * dropped), so a caller hammering the API with bad tokens can neither flood Kafka nor the audit
 * store nor this service's memory. Sent straight to Kafka, not through an outbox: a refusal changes
 * no state to keep consistent with, and a broker outage loses at most a window of them (logged).
 */
@ApplicationScoped
public class DenialRecorder {

  static final int MAX_PENDING = 1_000;

  private static final Logger LOG = Logger.getLogger(DenialRecorder.class);

  private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final Map<String, Object> kafka;
  private final String service;
  private final AuthConfig config;
  private final Vertx vertx;
  private volatile KafkaProducer<String, byte[]> producer;
  private long timer = -1;

  public DenialRecorder(
      @Identifier("default-kafka-broker") Map<String, Object> kafka,
      @ConfigProperty(name = "quarkus.application.name") String service,
      AuthConfig config,
      Vertx vertx) {
    this.kafka = kafka;
    this.service = service;
    this.config = config;
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent event) {
    timer =
        vertx.setPeriodic(
            config.denialWindow().toMillis(),
            ignored ->
                vertx.executeBlocking(
                    () -> {
                      flush();
                      return null;
                    },
                    false));
  }

  void stop(@Observes ShutdownEvent event) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    flush();
    KafkaProducer<String, byte[]> p = producer;
    if (p != null) {
      p.close(java.time.Duration.ofSeconds(2));
    }
  }

  /** Notes that the request of {@code context} ended with {@code status}. */
  void record(RoutingContext context, int status) {
    String actor = null;
    if (context.user() instanceof QuarkusHttpUser user
        && !user.getSecurityIdentity().isAnonymous()) {
      Actor found = user.getSecurityIdentity().getAttribute(ActorAugmentor.ACTOR);
      actor = found != null ? found.user() : user.getSecurityIdentity().getPrincipal().getName();
    }
    Object reason = context.get(ApiGate.DENIAL_REASON);
    Key key =
        new Key(
            status,
            context.request().method().name(),
            context.normalizedPath(),
            actor,
            reason != null
                ? reason.toString()
                : status == 401
                    ? "no valid bearer token"
                    : "the token holds no role this operation allows");
    if (!pending.containsKey(key) && pending.size() >= MAX_PENDING) {
      dropped.incrementAndGet();
      return;
    }
    pending.compute(
        key,
        (k, held) ->
            held == null
                ? new Pending(OffsetDateTime.now(ZoneOffset.UTC), 1)
                : new Pending(held.firstAt(), held.count() + 1));
  }

  /** Sends what the window collected. */
  synchronized void flush() {
    List<Map.Entry<Key, Pending>> batch = new ArrayList<>(pending.entrySet());
    batch.forEach(e -> pending.remove(e.getKey(), e.getValue()));
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      LOG.warnf(
          "%d refused API calls were not recorded: too many distinct ones in one window", lost);
    }
    for (Map.Entry<Key, Pending> entry : batch) {
      try {
        send(entry.getKey(), entry.getValue());
      } catch (RuntimeException e) {
        LOG.warnf("a refused API call could not be recorded: %s", e.toString());
      }
    }
  }

  private void send(Key key, Pending held) {
    AccessDenied denied =
        new AccessDenied(
            service,
            key.status(),
            key.method(),
            key.path(),
            key.actor(),
            key.reason(),
            held.count(),
            held.firstAt());
    String id =
        Envelope.derivedId(
            "access.denied",
            service,
            String.valueOf(key.status()),
            key.method(),
            key.path(),
            String.valueOf(key.actor()),
            held.firstAt().toString());
    Envelope<AccessDenied> event =
        new Envelope<>(
            id,
            "/slipway/" + service,
            EventType.ACCESS_DENIED.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            service,
            id,
            null,
            null,
            denied);
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(Topics.ACCESS_DENIED, service, EventJson.writePayload(denied));
    header(record, "ce_specversion", EventJson.SPEC_VERSION);
    header(record, "ce_id", event.id());
    header(record, "ce_source", event.source());
    header(record, "ce_type", event.type());
    header(record, "ce_time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.time()));
    header(record, "ce_subject", event.subject());
    header(record, "ce_" + EventJson.RUN_ID, event.runId());
    header(record, "content-type", EventJson.CONTENT_TYPE);
    producer()
        .send(
            record,
            (metadata, failure) -> {
              if (failure != null) {
                LOG.warnf("a refused API call could not be recorded: %s", failure.toString());
              }
            });
  }

  private KafkaProducer<String, byte[]> producer() {
    if (producer == null) {
      Map<String, Object> settings = new HashMap<>();
      kafka.forEach(
          (k, v) -> {
            if (!k.contains("serializer")
                && !k.contains("deserializer")
                && !k.startsWith("group.")) {
              settings.put(k, v);
            }
          });
      settings.put(ProducerConfig.ACKS_CONFIG, "all");
      settings.put(ProducerConfig.CLIENT_ID_CONFIG, service + "-access-denied");
      settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
      settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10000);
      settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
      producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
    record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private record Key(int status, String method, String path, String actor, String reason) {}

  private record Pending(OffsetDateTime firstAt, int count) {}
}

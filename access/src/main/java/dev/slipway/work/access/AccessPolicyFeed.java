package dev.slipway.work.access;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.EventJson;
import dev.slipway.events.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The access policy this service decides with: the newest version on {@code access.policy}, read
 * from the beginning of the compacted topic at start and followed afterwards, without a consumer
 * group (every instance needs all of it). The service is ready once it has read up to where the
 * topic ended when it started ({@link #caughtUp()}); until then it could only decide with an older
 * version. A record that is not a policy is skipped with a warning. trigger-service, which owns the
 * policy, also {@link #offer}s each version it commits, so its own decisions never wait for Kafka.
 * Only a newer version ever replaces the one held.
 */
@ApplicationScoped
public class AccessPolicyFeed {

  private static final Logger LOG = Logger.getLogger(AccessPolicyFeed.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final AtomicReference<AccessPolicy> current = new AtomicReference<>(AccessPolicy.EMPTY);
  private final Map<String, Object> kafka;
  private volatile boolean caughtUp;
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private Thread reader;

  @Inject
  public AccessPolicyFeed(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
    this.kafka = kafka;
  }

  /**
   * Starts reading before any other observer of the start (the work schema's migration, the
   * messaging channels, the workers), so the read overlaps them instead of following them: it needs
   * Kafka only, and the service is not ready before it is done.
   */
  void start(@Observes @Priority(0) StartupEvent event) {
    reader = new Thread(this::follow, "access-policy-feed");
    reader.setDaemon(true);
    reader.start();
  }

  void stop(@Observes ShutdownEvent event) {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** The newest policy read or offered. */
  public AccessPolicy current() {
    return current.get();
  }

  /** Whether the policy of the service's start has been read. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /**
   * Takes {@code policy} from the service that owns it as current, read from its own database: that
   * service is ready without waiting for Kafka.
   */
  public void authoritative(AccessPolicy policy) {
    offer(policy);
    caughtUp = true;
  }

  /** Takes {@code policy} if it is newer than the one held. */
  public void offer(AccessPolicy policy) {
    AccessPolicy before =
        current.getAndAccumulate(
            policy, (held, offered) -> offered.version() > held.version() ? offered : held);
    if (policy.version() > before.version()) {
      LOG.infof(
          "access policy version %d: %d applications, %d bindings, %d linked identities",
          policy.version(),
          policy.applications().size(),
          policy.bindings().size(),
          policy.identities().size());
    }
  }

  private void follow() {
    while (running) {
      try (KafkaConsumer<String, byte[]> c = newConsumer()) {
        consumer = c;
        List<TopicPartition> partitions = partitions(c);
        if (partitions.isEmpty()) {
          // No topic yet: nobody ever wrote a policy, so the empty one is the current one.
          caughtUp = true;
          sleep(Duration.ofSeconds(5));
          continue;
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = c.endOffsets(partitions);
        while (running) {
          // Checked before each poll too: a topic with nothing to read (or nothing left) is read
          // up to its end at once, not after a poll that waited its whole timeout for records.
          if (!caughtUp
              && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
            caughtUp = true;
            LOG.infof("access policy read up to version %d", current().version());
          }
          for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
            read(record);
          }
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warnf("reading %s failed, trying again: %s", Topics.ACCESS_POLICY, e.toString());
        sleep(Duration.ofSeconds(2));
      }
    }
  }

  private void read(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    try {
      offer(EventJson.readPayload(record.value(), AccessPolicy.class));
    } catch (RuntimeException e) {
      LOG.warnf(
          "%s offset %d is not an access policy, skipped: %s",
          Topics.ACCESS_POLICY, record.offset(), e.getMessage());
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
    List<PartitionInfo> infos = c.partitionsFor(Topics.ACCESS_POLICY, Duration.ofSeconds(10));
    return infos == null
        ? List.of()
        : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }

  private KafkaConsumer<String, byte[]> newConsumer() {
    Map<String, Object> config = new HashMap<>();
    kafka.forEach(
        (key, value) -> {
          if (!key.startsWith("group.") && !key.contains("serializer")) {
            config.put(key, value);
          }
        });
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "access-policy-feed");
    return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}

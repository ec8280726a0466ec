package dev.slipway.audit.messaging;

import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

/**
 * The id Kafka gave each topic when it was created, as a UUID. A topic deleted and created again
 * under the same name gets a new id and starts its offsets at 0 again, so offsets are only
 * comparable within one id. Ids are cached and looked up again whenever a batch looks like a
 * redelivery, which is exactly when a recreated topic would be mistaken for the old one.
 */
@ApplicationScoped
public class KafkaTopicIds {

  private static final Logger LOG = Logger.getLogger(KafkaTopicIds.class);
  private static final long TIMEOUT_SECONDS = 10;

  private final Map<String, Object> kafkaConfig;
  private final Map<String, String> ids = new ConcurrentHashMap<>();
  private Admin admin;

  public KafkaTopicIds(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
    this.kafkaConfig = kafkaConfig;
  }

  /** The ids of {@code topics}, from the cache where known. */
  public Map<String, String> idsOf(Set<String> topics) {
    Map<String, String> known = new HashMap<>();
    Set<String> missing = new HashSet<>();
    for (String topic : topics) {
      String id = ids.get(topic);
      if (id != null) {
        known.put(topic, id);
      } else {
        missing.add(topic);
      }
    }
    if (!missing.isEmpty()) {
      known.putAll(lookUp(missing));
    }
    return known;
  }

  /** The ids of {@code topics}, asked of the cluster now. */
  public Map<String, String> refresh(Set<String> topics) {
    return lookUp(topics);
  }

  private Map<String, String> lookUp(Set<String> topics) {
    Map<String, KafkaFuture<TopicDescription>> described =
        admin().describeTopics(topics).topicNameValues();
    Map<String, String> found = new HashMap<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
      try {
        Uuid id = topic.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).topicId();
        String uuid =
            new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()).toString();
        ids.put(topic.getKey(), uuid);
        found.put(topic.getKey(), uuid);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          // Deleted since its records were fetched: keep what was known of it, if anything.
          LOG.warnf(
              "topic %s no longer exists; its records keep its last known id", topic.getKey());
          String last = ids.get(topic.getKey());
          if (last != null) {
            found.put(topic.getKey(), last);
          }
        } else {
          throw new KafkaException("cannot describe topic " + topic.getKey(), e.getCause());
        }
      } catch (TimeoutException e) {
        throw new KafkaException("the cluster did not describe topic " + topic.getKey(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("interrupted", e);
      }
    }
    return found;
  }

  private synchronized Admin admin() {
    if (admin == null) {
      Map<String, Object> config = new HashMap<>();
      config.put(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          kafkaConfig.getOrDefault("bootstrap.servers", "localhost:9092"));
      config.put(AdminClientConfig.CLIENT_ID_CONFIG, "audit-service-topic-ids");
      admin = Admin.create(config);
    }
    return admin;
  }

  @PreDestroy
  synchronized void close() {
    if (admin != null) {
      admin.close();
    }
  }
}

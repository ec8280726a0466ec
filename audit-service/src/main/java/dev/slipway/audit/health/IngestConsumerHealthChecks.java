package dev.slipway.audit.health;

import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.messaging.IngestStatus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.registry.HealthRegistries;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * One health check per Kafka consumer of the ingest channel, in the {@value #GROUP} health group
 * ({@code /q/health/group/ingest}), not in readiness: the query API stays ready while ingest waits
 * for Kafka or for the database. Each reports its partitions, its lag (records behind the end of
 * its partitions) and is DOWN while a batch of its partitions cannot be written or its group
 * coordinator has not answered for {@code slipway.audit.ingest.heartbeat-timeout}.
 */
@ApplicationScoped
public class IngestConsumerHealthChecks {

  /** The health group of ingest. */
  public static final String GROUP = "ingest";

  private static final String CHANNEL = "audit-in";

  private final KafkaClientService clients;
  private final IngestStatus status;
  private final AuditConfig config;
  private final Set<String> registered = new HashSet<>();

  public IngestConsumerHealthChecks(
      KafkaClientService clients, IngestStatus status, AuditConfig config) {
    this.clients = clients;
    this.status = status;
    this.config = config;
  }

  void register(@Observes StartupEvent event) {
    registerConsumers();
  }

  /**
   * Registers a check for each consumer of the ingest channel not registered yet. With {@code
   * concurrency} the channel's consumers are sub-channels named {@code audit-in$1}, {@code
   * audit-in$2}, ...
   */
  synchronized void registerConsumers() {
    for (String channel : clients.getConsumerChannels()) {
      if (!(channel.equals(CHANNEL) || channel.startsWith(CHANNEL + "$"))
          || !registered.add(channel)) {
        continue;
      }
      for (KafkaConsumer<Object, Object> consumer : clients.getConsumers(channel)) {
        String name = "Audit ingest consumer " + channel;
        HealthRegistries.getHealthGroupRegistry(GROUP).register(name, check(name, consumer));
      }
    }
  }

  /** Whether any consumer of the ingest channel is registered. */
  boolean anyRegistered() {
    return !registered.isEmpty();
  }

  private HealthCheck check(String name, KafkaConsumer<Object, Object> consumer) {
    Instant registeredAt = Instant.now();
    return () -> {
      Map<MetricName, ? extends Metric> metrics = consumer.unwrap().metrics();
      String clientId = null;
      double lag = 0;
      TreeSet<String> partitions = new TreeSet<>();
      IngestStatus.Failing failing = null;
      double heartbeatAgo = -1;
      double pollAgo = -1;
      for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
        MetricName id = metric.getKey();
        clientId = id.tags().getOrDefault("client-id", clientId);
        Object value = metric.getValue().metricValue();
        double number = value instanceof Number n ? n.doubleValue() : Double.NaN;
        switch (id.name()) {
          case "records-lag" -> {
            String topic = id.tags().get("topic");
            String partition = id.tags().get("partition");
            if (topic != null && partition != null) {
              partitions.add(topic + "-" + partition);
              if (!Double.isNaN(number)) {
                lag += number;
              }
              IngestStatus.Failing f =
                  status.failing(new TopicPartition(topic, Integer.parseInt(partition)));
              if (f != null && (failing == null || f.since().isBefore(failing.since()))) {
                failing = f;
              }
            }
          }
          case "last-heartbeat-seconds-ago" -> heartbeatAgo = number;
          case "last-poll-seconds-ago" -> pollAgo = number;
          default -> {}
        }
      }
      HealthCheckResponseBuilder response =
          HealthCheckResponse.named(name)
              .withData("clientId", String.valueOf(clientId))
              .withData("partitions", String.join(",", partitions))
              .withData("lag", (long) lag)
              .withData("lastPollSecondsAgo", (long) pollAgo)
              .withData("lastHeartbeatSecondsAgo", (long) heartbeatAgo);
      long timeout = config.ingest().heartbeatTimeout().toSeconds();
      if (failing != null) {
        return response
            .down()
            .withData("failingSince", failing.since().toString())
            .withData("cause", failing.cause())
            .build();
      }
      if (heartbeatAgo > timeout) {
        return response
            .down()
            .withData(
                "cause", "the group coordinator has not answered for " + (long) heartbeatAgo + " s")
            .build();
      }
      if (heartbeatAgo < 0 && Duration.between(registeredAt, Instant.now()).toSeconds() > timeout) {
        return response.down().withData("cause", "no group coordinator reached yet").build();
      }
      return response.up().build();
    };
  }
}

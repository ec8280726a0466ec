package dev.slipway.launcher.platform;

import dev.slipway.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Creates the pipeline topics and their dead-letter topics, and the compacted access.policy, before
 * the services start, as the cluster install does with its KafkaTopic resources ({@code
 * k8s/components/kafka/topics.yaml}). Left to auto-creation on first publish, a topic would reach
 * audit-service's pattern subscription only at its next metadata refresh, so the first events of a
 * fresh platform would be recorded late.
 */
final class KafkaTopics {

  private static final int PARTITIONS = 3;
  private static final short REPLICAS = 1;

  private KafkaTopics() {}

  /**
   * Sets {@code brokerSettings} as the cluster's dynamic broker defaults (none: nothing is set),
   * then creates what is missing; returns how many were created and how many were there.
   */
  static int[] ensure(String bootstrap, Map<String, String> brokerSettings) {
    List<String> names = new ArrayList<>();
    for (String topic : Topics.ALL) {
      names.add(topic);
      names.add(Topics.dlq(topic));
    }
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
      if (!brokerSettings.isEmpty()) {
        List<AlterConfigOp> set =
            brokerSettings.entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), OpType.SET))
                .toList();
        admin
            .incrementalAlterConfigs(
                Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""), set))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          new ArrayList<>(
              names.stream()
                  .filter(name -> !existing.contains(name))
                  .map(name -> new NewTopic(name, PARTITIONS, REPLICAS))
                  .toList());
      names.add(Topics.ACCESS_POLICY);
      if (!existing.contains(Topics.ACCESS_POLICY)) {
        // One key, compacted: whoever reads it from the beginning ends on the current policy.
        missing.add(
            new NewTopic(Topics.ACCESS_POLICY, 1, REPLICAS)
                .configs(Map.of("cleanup.policy", "compact")));
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
      return new int[] {missing.size(), names.size() - missing.size()};
    } catch (ExecutionException | TimeoutException e) {
      throw new PlatformException("cannot create the Kafka topics on " + bootstrap + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlatformException("interrupted while creating the Kafka topics", e);
    }
  }
}

package dev.slipway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.events.Topics;
import dev.slipway.launcher.demo.PlatformClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the pipeline recorded for a set of applications, read from both ends: every record on every
 * topic (and dead-letter topic) of Kafka, and every row of the audit store.
 */
final class PipelineLedger {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One event as a record on a topic, or as a row of the audit store.
   *
   * @param topic e.g. {@code deploy.done}
   * @param id the CloudEvents id
   * @param runId the run it belongs to
   * @param application the application
   * @param environment for deploy events, else empty
   * @param outcome build.done's and deploy.done's status, scan.done's verdict, else empty
   */
  record Event(
      String topic,
      String id,
      String runId,
      String application,
      String environment,
      String outcome) {

    /** The topic, with the environment for deploy events: {@code deploy.done staging}. */
    String stage() {
      return environment.isEmpty() ? topic : topic + " " + environment;
    }
  }

  private PipelineLedger() {}

  /** Every record of {@code applications} on every Slipway topic, duplicates included. */
  static List<Event> kafkaRecords(String bootstrap, Set<String> applications) {
    List<String> topics = new ArrayList<>(Topics.ALL);
    Topics.ALL.forEach(topic -> topics.add(Topics.dlq(topic)));
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-ledger-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<Event> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        consumer
            .partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (!caughtUp(consumer, ends)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          String application =
              record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
          if (!applications.contains(application)) {
            continue;
          }
          JsonNode data = json(record.value());
          events.add(
              new Event(
                  record.topic(),
                  header(record, "ce_id"),
                  header(record, "ce_runid"),
                  application,
                  data.path("environment").asText(""),
                  outcome(record.topic(), data)));
        }
      }
    }
    return events;
  }

  /** Every row of the audit store for {@code application}, read page by page. */
  static List<JsonNode> auditRows(PlatformClient client, String token, String application) {
    List<JsonNode> rows = new ArrayList<>();
    String cursor = "";
    while (true) {
      JsonNode page =
          client
              .get(
                  client.endpoints().audit()
                      + "/api/audit/events?limit=1000&application="
                      + application
                      + (cursor.isEmpty() ? "" : "&cursor=" + cursor),
                  token)
              .expect(200)
              .json();
      JsonNode items = page.isArray() ? page : page.path("items");
      items.forEach(rows::add);
      String next = page.path("nextCursor").asText(page.path("next").asText(""));
      if (items.size() < 1000 || next.isEmpty() || next.equals("null")) {
        return rows;
      }
      cursor = next;
    }
  }

  /** An audit row as an {@link Event}. */
  static Event fromAudit(JsonNode row) {
    JsonNode data = row.path("event").path("data");
    return new Event(
        row.path("topic").asText(),
        row.path("eventId").asText(),
        row.path("runId").asText(),
        row.path("application").asText(),
        row.path("environment").asText(""),
        outcome(row.path("topic").asText(), data));
  }

  /** How many distinct event ids each run has per stage. */
  static Map<String, Map<String, Integer>> distinctPerRun(Collection<Event> events) {
    Map<String, Map<String, Set<String>>> ids = new HashMap<>();
    for (Event event : events) {
      ids.computeIfAbsent(event.runId(), r -> new HashMap<>())
          .computeIfAbsent(event.stage(), s -> new java.util.HashSet<>())
          .add(event.id());
    }
    Map<String, Map<String, Integer>> counts = new HashMap<>();
    ids.forEach(
        (run, stages) -> {
          Map<String, Integer> perStage = new HashMap<>();
          stages.forEach((stage, set) -> perStage.put(stage, set.size()));
          counts.put(run, perStage);
        });
    return counts;
  }

  private static String outcome(String topic, JsonNode data) {
    return switch (topic) {
      case Topics.BUILD_DONE, Topics.DEPLOY_DONE -> data.path("status").asText("");
      case Topics.SCAN_DONE -> data.path("verdict").asText("");
      default -> "";
    };
  }

  private static boolean caughtUp(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static JsonNode json(byte[] value) {
    try {
      return value == null ? JSON.createObjectNode() : JSON.readTree(value);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }
}

package dev.slipway.testsupport;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.KafkaCloudEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plain Kafka clients for tests: send an event as another service would (CloudEvents binary mode,
 * as the outbox relay writes it) or raw bytes, and read what a service published.
 */
public final class KafkaTestClient {

  private KafkaTestClient() {}

  /** Sends {@code event} to {@code topic} keyed by application, the way Slipway services do. */
  public static void send(String topic, Envelope<?> event) {
    send(KafkaCloudEvents.toRecord(topic, EventJson.writeEvent(event), null));
  }

  /** Sends raw bytes to {@code topic}, e.g. a record no contract accepts. */
  public static void sendRaw(String topic, String key, byte[] value) {
    send(new ProducerRecord<>(topic, key, value));
  }

  /**
   * Reads {@code topic} from its beginning until {@code atLeast} records arrived or {@code timeout}
   * passed, and returns what it read.
   */
  public static List<ConsumerRecord<String, byte[]>> read(
      String topic, int atLeast, Duration timeout) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    Instant deadline = Instant.now().plus(timeout);
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions(consumer, topic, deadline);
      if (partitions.isEmpty()) {
        return records;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (records.size() < atLeast && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /**
   * Everything on {@code topic} when called: read from its beginning up to each partition's end
   * offset of that moment, without waiting for more (an absent topic has nothing). A test that
   * checks nothing more arrives waits for that itself.
   */
  public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions(consumer, topic, Instant.now());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      Instant deadline = Instant.now().plusSeconds(30);
      while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("could not read " + topic + " to its end offsets " + ends);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }

  /**
   * A consumer of no group: it is assigned partitions and joins nothing, so reading starts at once
   * (a group's first join waits out the broker's rebalance delay).
   */
  private static KafkaConsumer<String, byte[]> consumer() {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            SlipwayInfrastructure.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** The partitions of {@code topic}, waiting until {@code deadline} for it to exist. */
  private static List<TopicPartition> partitions(
      KafkaConsumer<?, ?> consumer, String topic, Instant deadline) {
    while (true) {
      List<PartitionInfo> found =
          consumer.listTopics(Duration.ofSeconds(10)).getOrDefault(topic, List.of());
      if (!found.isEmpty() || !Instant.now().isBefore(deadline)) {
        return found.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Waits until a record keyed {@code key} is on {@code topic}, and returns it. */
  public static ConsumerRecord<String, byte[]> awaitRecord(
      String topic, String key, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions(consumer, topic, deadline);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!partitions.isEmpty() && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(record.key())) {
            return record;
          }
        }
      }
    }
    throw new AssertionError("no record keyed " + key + " on " + topic + " within " + timeout);
  }

  /** The text of a header of {@code record}, or null. */
  public static String header(ConsumerRecord<?, ?> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void send(ProducerRecord<String, byte[]> record) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            SlipwayInfrastructure.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(record).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot send to " + record.topic(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

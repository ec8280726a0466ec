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
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            SlipwayInfrastructure.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "test-reader-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      Instant deadline = Instant.now().plus(timeout);
      while (records.size() < atLeast && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Waits until a record keyed {@code key} is on {@code topic}, and returns it. */
  public static ConsumerRecord<String, byte[]> awaitRecord(
      String topic, String key, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      var found =
          read(topic, 1, Duration.ofSeconds(2)).stream()
              .filter(record -> key.equals(record.key()))
              .findFirst();
      if (found.isPresent()) {
        return found.get();
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

package dev.slipway.work.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.work.WorkDatabase;
import dev.slipway.work.db.Transactions;
import dev.slipway.work.queue.NamedLease;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Events per second the relay publishes from the outbox table, against the raw limit measured in
 * the same run: the same records sent by a bare KafkaProducer with the relay's settings ({@code
 * acks=all}, idempotence, the same linger) straight from memory. The gap is what reading rows,
 * turning them into records, waiting for each round's acknowledgements and marking rows sent cost.
 * Prints the figures; asserts only that every event arrived.
 */
@Tag("bench")
class OutboxRelayBenchmarkIT {

  private static final int EVENTS = Integer.getInteger("slipway.bench.outbox-events", 20_000);

  @Test
  void relayAgainstARawProducer() throws Exception {
    Pool pool = WorkDatabase.pool();
    OutboxStore store = new OutboxStore(pool);
    String rawTopic = OutboxRelayIT.newTopic();
    String relayTopic = OutboxRelayIT.newTopic();
    TestSettings settings = TestSettings.of(relayTopic);
    List<OutboxEvent> events = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      events.add(
          OutboxRelayIT.event(relayTopic, "bench-" + (i % 10), "commit " + i + " of the bench"));
    }
    Map<String, Object> kafka =
        Map.of("bootstrap.servers", SlipwayInfrastructure.bootstrapServers());

    double raw =
        rawProducer(rawTopic, events, OutboxRelay.producerConfig(kafka, settings, "bench"));

    Outbox outbox = new Outbox(store);
    Transactions transactions = Transactions.of(pool, event -> {});
    for (int from = 0; from < EVENTS; from += 1000) {
      List<OutboxEvent> chunk = events.subList(from, Math.min(EVENTS, from + 1000));
      transactions.run(tx -> outbox.add(tx, chunk)).await().atMost(Duration.ofMinutes(1));
    }
    OutboxRelay relay =
        new OutboxRelay(
            store,
            new NamedLease(pool),
            settings,
            new OutboxMetrics(new SimpleMeterRegistry()),
            kafka,
            "bench");
    long start = System.nanoTime();
    relay.start();
    try {
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> unsent(relayTopic) == 0);
    } finally {
      relay.stop();
    }
    double relayed = EVENTS / ((System.nanoTime() - start) / 1e9);

    System.out.printf(
        """
        [bench] outbox relay, %d events of %d bytes, batch %d, acks=all, idempotent, linger %d ms:
        [bench]   raw KafkaProducer from memory   %8.0f events/s  (the limit)
        [bench]   relay from the outbox table     %8.0f events/s  (%.0f%% of the limit)
        """,
        EVENTS,
        events.get(0).json().length(),
        settings.batchSize(),
        settings.linger().toMillis(),
        raw,
        relayed,
        100 * relayed / raw);
    assertThat(unsent(relayTopic)).isZero();
  }

  private static double rawProducer(
      String topic, List<OutboxEvent> events, Map<String, Object> config) throws Exception {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
    for (OutboxEvent event : events) {
      records.add(
          KafkaCloudEvents.toRecord(topic, event.json().getBytes(StandardCharsets.UTF_8), null));
    }
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer.partitionsFor(topic);
      long start = System.nanoTime();
      List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
      records.forEach(record -> acks.add(producer.send(record)));
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
      return records.size() / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static long unsent(String topic) {
    return ((Number)
            WorkDatabase.value(
                "SELECT count(*) FROM outbox WHERE topic = ? AND sent_at IS NULL", topic))
        .longValue();
  }
}

package dev.slipway.work.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.KafkaTestClient;
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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay against a real broker and database: order per application, a record Kafka refuses
 * parked without holding up the rows behind it, one relay at a time with take-over, retention, and
 * the trace context carried as a header.
 */
class OutboxRelayIT {

  private static Pool pool;
  private static OutboxStore store;
  private final List<OutboxRelay> relays = new ArrayList<>();
  private final List<Object> fired = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void infrastructure() {
    pool = WorkDatabase.pool();
    store = new OutboxStore(pool);
    SlipwayInfrastructure.kafka();
  }

  @AfterEach
  void stopRelays() {
    relays.forEach(OutboxRelay::stop);
  }

  @Test
  void rowsOfOneApplicationLeaveInTheOrderTheyWereWrittenAndAreMarkedSent() {
    String topic = newTopic();
    List<String> apps = List.of(app(), app(), app());
    List<OutboxEvent> events = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      events.add(event(topic, apps.get(i % 3), "commit " + i));
    }
    add(events);
    relay(TestSettings.of(topic).withBatchSize(7)).start();

    await().atMost(Duration.ofSeconds(30)).until(() -> unsent(events) == 0);
    List<ConsumerRecord<String, byte[]>> records = KafkaTestClient.read(topic, 60, seconds(30));
    assertThat(records).hasSize(60);
    for (String app : apps) {
      assertThat(
              records.stream()
                  .filter(r -> app.equals(r.key()))
                  .map(r -> KafkaTestClient.header(r, "ce_id")))
          .containsExactlyElementsOf(
              events.stream()
                  .filter(e -> e.application().equals(app))
                  .map(e -> e.eventId())
                  .toList());
    }
    assertThat(fired).containsExactly(OutboxWritten.ROWS);
  }

  @Test
  void aRowKafkaRefusesIsParkedWithItsReasonAndTheRowsBehindItAreDelivered() {
    String topic = newTopic();
    String app = app();
    OutboxEvent tooLarge = event(topic, app, "m".repeat(2 * 1024 * 1024));
    OutboxEvent behind = event(topic, app, "behind");
    OutboxEvent last = event(topic, app, "last");
    add(List.of(tooLarge, behind, last));
    relay(TestSettings.of(topic)).start();

    await().atMost(Duration.ofSeconds(30)).until(() -> unsent(List.of(behind, last)) == 0);
    assertThat(
            KafkaTestClient.read(topic, 2, seconds(20)).stream()
                .map(r -> KafkaTestClient.header(r, "ce_id")))
        .containsExactly(behind.eventId(), last.eventId());
    assertThat(
            String.valueOf(
                WorkDatabase.value(
                    "SELECT parked_why FROM outbox WHERE event_id = ? AND parked_at IS NOT NULL",
                    tooLarge.eventId())))
        .contains("RecordTooLargeException");
  }

  @Test
  void aRowForATopicTheServiceDoesNotPublishOrThatIsNoEventIsParked() {
    String topic = newTopic();
    String app = app();
    OutboxEvent undeclared = event("somebody.elses", app, "not ours");
    OutboxEvent broken =
        new OutboxEvent(UUID.randomUUID().toString(), topic, app, "{\"id\": 1", null);
    OutboxEvent fine = event(topic, app, "fine");
    add(List.of(undeclared, broken, fine));
    relay(TestSettings.of(topic)).start();

    await().atMost(Duration.ofSeconds(30)).until(() -> unsent(List.of(fine)) == 0);
    assertThat(reasonOf(undeclared)).contains("not one this service publishes");
    assertThat(reasonOf(broken)).contains("EventFormatException");
    assertThat(KafkaTestClient.read(topic, 1, seconds(10))).hasSize(1);
  }

  @Test
  void oneRelayPublishesAtATimeAndAnotherTakesOverWhenItStops() {
    String topic = newTopic();
    OutboxRelay first = relay(TestSettings.of(topic));
    first.start();
    await().atMost(Duration.ofSeconds(10)).until(first::leads);
    OutboxRelay second = relay(TestSettings.of(topic));
    second.start();
    String app = app();
    List<OutboxEvent> before = List.of(event(topic, app, "1"), event(topic, app, "2"));
    add(before);

    await().atMost(Duration.ofSeconds(10)).until(() -> unsent(before) == 0);
    assertThat(second.leads()).isFalse();
    first.stop();
    await().atMost(Duration.ofSeconds(10)).until(second::leads);
    List<OutboxEvent> after = List.of(event(topic, app, "3"));
    add(after);

    await().atMost(Duration.ofSeconds(10)).until(() -> unsent(after) == 0);
    assertThat(
            KafkaTestClient.read(topic, 3, seconds(20)).stream()
                .map(r -> KafkaTestClient.header(r, "ce_id")))
        .containsExactly(before.get(0).eventId(), before.get(1).eventId(), after.get(0).eventId());
  }

  @Test
  void aLeaseTheDeadInstanceHeldIsWaitedOutThenTakenOver() {
    String topic = newTopic();
    // Another instance relays and dies: its lease runs out in 3 seconds.
    new NamedLease(pool)
        .hold(OutboxRelay.LEASE, "dead-" + UUID.randomUUID(), Duration.ofSeconds(3))
        .await()
        .atMost(seconds(10));
    String app = app();
    List<OutboxEvent> events = List.of(event(topic, app, "waits"));
    add(events);
    OutboxRelay relay = relay(TestSettings.of(topic));
    relay.start();

    await().during(Duration.ofSeconds(1)).atMost(seconds(2)).until(() -> unsent(events) == 1);
    await().atMost(Duration.ofSeconds(15)).until(() -> unsent(events) == 0);
    assertThat(relay.leads()).isTrue();
  }

  @Test
  void sentRowsAreDeletedAfterTheRetentionWhileUnsentAndParkedOnesStay() {
    String topic = newTopic();
    String app = app();
    String old = insert(topic, app, "now() - interval '8 days'", null);
    String recent = insert(topic, app, "now() - interval '6 days'", null);
    String parked = insert(topic, app, null, "now() - interval '30 days'");
    relay(TestSettings.of(topic).withRetention(Duration.ofDays(7), Duration.ofMillis(200))).start();

    await().atMost(Duration.ofSeconds(20)).until(() -> !exists(old));
    assertThat(exists(recent)).isTrue();
    assertThat(exists(parked)).isTrue();
  }

  @Test
  void theTraceContextOfTheCauseTravelsAsAHeader() {
    String topic = newTopic();
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    OutboxEvent event = OutboxEvent.of(envelope(app(), "traced"), traceparent);
    OutboxEvent onTopic =
        new OutboxEvent(
            event.eventId(), topic, event.application(), event.json(), event.traceparent());
    add(List.of(onTopic));
    relay(TestSettings.of(topic)).start();

    ConsumerRecord<String, byte[]> record =
        KafkaTestClient.awaitRecord(topic, onTopic.application(), seconds(30));
    assertThat(KafkaTestClient.header(record, "traceparent")).isEqualTo(traceparent);
  }

  private OutboxRelay relay(OutboxSettings settings) {
    OutboxRelay relay =
        new OutboxRelay(
            store,
            new NamedLease(pool),
            settings,
            new OutboxMetrics(new SimpleMeterRegistry()),
            Map.of("bootstrap.servers", SlipwayInfrastructure.bootstrapServers()),
            "work-test");
    relays.add(relay);
    return relay;
  }

  private void add(List<OutboxEvent> events) {
    Outbox outbox = new Outbox(store);
    Transactions.of(pool, fired::add).run(tx -> outbox.add(tx, events)).await().atMost(seconds(10));
  }

  static OutboxEvent event(String topic, String app, String message) {
    OutboxEvent event = OutboxEvent.of(envelope(app, message), null);
    return new OutboxEvent(event.eventId(), topic, app, event.json(), null);
  }

  static Envelope<CommitReceived> envelope(String app, String message) {
    CommitReceived sample = SampleEvents.commitReceived();
    return SampleEvents.forApplication(
        EventType.COMMIT_RECEIVED,
        app,
        new CommitReceived(
            sample.provider(),
            sample.deliveryId(),
            sample.repoUrl(),
            sample.ref(),
            sample.commitSha(),
            sample.author(),
            message,
            sample.actor(),
            sample.pipeline()));
  }

  private static String insert(String topic, String app, String sentAt, String parkedAt) {
    String id = UUID.randomUUID().toString();
    String json = new String(EventJson.writeEvent(envelope(app, "old")), StandardCharsets.UTF_8);
    WorkDatabase.update(
        "INSERT INTO outbox (event_id, topic, application, event, sent_at, parked_at, parked_why)"
            + " VALUES (?, ?, ?, ?, "
            + (sentAt == null ? "NULL" : sentAt)
            + ", "
            + (parkedAt == null ? "NULL" : parkedAt)
            + ", "
            + (parkedAt == null ? "NULL" : "'refused'")
            + ")",
        id,
        topic,
        app,
        json);
    return id;
  }

  private static boolean exists(String eventId) {
    return WorkDatabase.value("SELECT 1 FROM outbox WHERE event_id = ?", eventId) != null;
  }

  private static long unsent(List<OutboxEvent> events) {
    return events.stream()
        .filter(
            e ->
                WorkDatabase.value(
                        "SELECT 1 FROM outbox WHERE event_id = ? AND sent_at IS NULL", e.eventId())
                    != null)
        .count();
  }

  private static String reasonOf(OutboxEvent event) {
    return String.valueOf(
        WorkDatabase.value("SELECT parked_why FROM outbox WHERE event_id = ?", event.eventId()));
  }

  static String newTopic() {
    String topic = "work-test-" + UUID.randomUUID().toString().substring(0, 8);
    SlipwayInfrastructure.createTopics(List.of(topic));
    return topic;
  }

  private static String app() {
    return SampleEvents.newApplication();
  }

  private static Duration seconds(int seconds) {
    return Duration.ofSeconds(seconds);
  }
}

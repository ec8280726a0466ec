package dev.slipway.work.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.events.SampleEvents;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorOutgoingConfiguration;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.impl.RuntimeKafkaSinkConfiguration;
import io.smallrye.reactive.messaging.kafka.impl.ce.KafkaCloudEventHelper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The relay writes each event exactly as SmallRye's Kafka connector wrote it before (CloudEvents
 * binary mode: the same {@code ce_*} headers with the same values, the same key and value), and
 * SmallRye's consumers read the relay's record back as the same envelope. SmallRye's own code makes
 * the records compared against, so a difference in either direction fails here.
 */
class RecordFormatTest {

  private static final Envelope<CommitReceived> FIRST =
      SampleEvents.event(EventType.COMMIT_RECEIVED, null);

  static Stream<Envelope<?>> events() {
    return EventType.ALL.stream().map(type -> SampleEvents.event(type, FIRST));
  }

  @ParameterizedTest
  @MethodSource("events")
  void theRelaysRecordIsTheOneSmallRyeWrites(Envelope<?> event) {
    String topic = EventType.forCeType(event.type()).orElseThrow().topic();
    ProducerRecord<String, byte[]> ours =
        KafkaCloudEvents.toRecord(topic, EventJson.writeEvent(event), null);
    Message<?> message = KafkaCloudEvents.toMessage(event);
    ProducerRecord<?, ?> smallRyes =
        KafkaCloudEventHelper.createBinaryRecord(
            message,
            topic,
            message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow(),
            null,
            message.getMetadata(OutgoingCloudEventMetadata.class).orElseThrow(),
            sinkConfiguration(topic));

    assertThat(ours.topic()).isEqualTo(smallRyes.topic());
    assertThat(ours.key()).isEqualTo(smallRyes.key());
    assertThat(texts(ours.headers())).isEqualTo(texts(smallRyes.headers()));
    assertThat(new String(ours.value(), StandardCharsets.UTF_8))
        .isEqualTo(new String(EventJson.writePayload(smallRyes.value()), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @MethodSource("events")
  void smallRyesConsumersReadTheRelaysRecordBackAsTheSameEnvelope(Envelope<?> event) {
    readBack(event);
  }

  private static <T> void readBack(Envelope<T> event) {
    @SuppressWarnings("unchecked")
    EventType<T> type = (EventType<T>) EventType.forCeType(event.type()).orElseThrow();
    ProducerRecord<String, byte[]> ours =
        KafkaCloudEvents.toRecord(type.topic(), EventJson.writeEvent(event), null);
    T payload = EventJson.readPayload(ours.value(), type.payloadType());
    ConsumerRecord<String, T> received =
        new ConsumerRecord<>(
            ours.topic(),
            0,
            0L,
            System.currentTimeMillis(),
            TimestampType.CREATE_TIME,
            -1,
            -1,
            ours.key(),
            payload,
            ours.headers(),
            java.util.Optional.empty());

    Message<T> message =
        Message.of(payload).addMetadata(KafkaCloudEventHelper.createFromBinaryCloudEvent(received));

    assertThat(KafkaCloudEvents.fromMessage(message, type)).isEqualTo(event);
  }

  private static RuntimeKafkaSinkConfiguration sinkConfiguration(String topic) {
    var config =
        new SmallRyeConfigBuilder()
            .withSources(
                new PropertiesConfigSource(
                    Map.of(
                        "channel-name",
                        "relay",
                        "topic",
                        topic,
                        "connector",
                        "smallrye-kafka",
                        "value.serializer",
                        "dev.slipway.events.PayloadSerializer"),
                    "test",
                    100))
            .build();
    return RuntimeKafkaSinkConfiguration.buildFromConfiguration(
        new KafkaConnectorOutgoingConfiguration(config));
  }

  private static Map<String, String> texts(Headers headers) {
    Map<String, String> texts = new TreeMap<>();
    for (Header header : headers) {
      texts.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return texts;
  }
}

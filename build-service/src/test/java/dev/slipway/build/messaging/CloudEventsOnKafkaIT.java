package dev.slipway.build.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The envelope survives SmallRye's CloudEvents support on a real broker, for every type. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class CloudEventsOnKafkaIT {

  private final CloudEventsProbe probe;

  CloudEventsOnKafkaIT(CloudEventsProbe probe) {
    this.probe = probe;
  }

  @Test
  void everyEventTypeIsWrittenAsCloudEventHeadersAndReadBackEqual() {
    Envelope<CommitReceived> first = SampleEvents.event(EventType.COMMIT_RECEIVED, null);
    List<Envelope<?>> sent = new ArrayList<>(List.of(first));
    EventType.ALL.stream().skip(1).forEach(type -> sent.add(SampleEvents.event(type, first)));

    sent.forEach(event -> probe.send(event).await().atMost(Duration.ofSeconds(30)));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(probe.received()).containsExactlyInAnyOrderElementsOf(sent));
    List<ConsumerRecord<String, byte[]>> records =
        KafkaTestClient.read("slipway.probe", sent.size(), Duration.ofSeconds(30));
    ConsumerRecord<String, byte[]> build =
        records.stream()
            .filter(r -> "dev.slipway.build.done.v1".equals(KafkaTestClient.header(r, "ce_type")))
            .findFirst()
            .orElseThrow();
    assertThat(build.key()).isEqualTo(SampleEvents.APPLICATION);
    assertThat(KafkaTestClient.header(build, "ce_specversion")).isEqualTo("1.0");
    assertThat(KafkaTestClient.header(build, "ce_subject")).isEqualTo(SampleEvents.APPLICATION);
    assertThat(KafkaTestClient.header(build, "ce_runid")).isEqualTo(first.runId());
    assertThat(KafkaTestClient.header(build, "ce_causationid")).isEqualTo(first.id());
    assertThat(KafkaTestClient.header(build, "ce_commitsha")).isEqualTo(SampleEvents.COMMIT);
  }
}

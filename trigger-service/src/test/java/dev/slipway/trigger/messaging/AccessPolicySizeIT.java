package dev.slipway.trigger.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.EventJson;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.ManyApplications;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The access policy is one record with every application in it: past about 2,600 applications it is
 * larger than Kafka's default 1 MiB, which the producer refused before (and the relay retried
 * forever, so no later access change reached any service). With 3,000 applications registered, a
 * change is published, its policy over 1 MiB uncompressed, through a broker and topic that keep
 * their 1 MiB limit (the batch travels gzip-compressed), and read back whole.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class AccessPolicySizeIT {

  private static final int APPLICATIONS = 3_000;

  @Test
  void aPolicyOverOneMebibyteIsPublishedAndReadBack() throws Exception {
    String prefix = "many" + UUID.randomUUID().toString().substring(0, 6);
    ManyApplications.insert(prefix, APPLICATIONS);
    try {
      // A change through the API: the relay publishes the policy as it stands, with all of them.
      String last = prefix + "-last";
      Webhooks.register(last, "github", "https://github.com/acme/" + last, "s3cret-s3cret");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                ConsumerRecord<String, byte[]> record = published(last);
                assertThat(record)
                    .as("the access.policy record of registering " + last)
                    .isNotNull();
                assertThat(record.serializedValueSize()).isGreaterThan(1024 * 1024);
                // What the broker holds against the topic's 1 MiB: about the gzip of the value.
                assertThat(gzipped(record.value())).isLessThan(1024 * 1024 / 4);
                AccessPolicy policy = EventJson.readPayload(record.value(), AccessPolicy.class);
                assertThat(
                        policy.applications().keySet().stream()
                            .filter(name -> name.startsWith(prefix)))
                    .hasSize(APPLICATIONS + 1);
              });
    } finally {
      Database.update("DELETE FROM applications WHERE name LIKE ?", prefix + "%");
    }
  }

  private static int gzipped(byte[] value) throws java.io.IOException {
    var out = new java.io.ByteArrayOutputStream();
    try (var gzip = new java.util.zip.GZIPOutputStream(out)) {
      gzip.write(value);
    }
    System.out.printf(
        "access policy of %d+ applications: %,d bytes, gzip %,d bytes%n",
        APPLICATIONS, value.length, out.size());
    return out.size();
  }

  private static ConsumerRecord<String, byte[]> published(String application) {
    List<ConsumerRecord<String, byte[]>> records = KafkaTestClient.readAll(Topics.ACCESS_POLICY);
    for (ConsumerRecord<String, byte[]> record : records) {
      AccessPolicy policy = EventJson.readPayload(record.value(), AccessPolicy.class);
      if (policy.change() != null && application.equals(policy.change().target())) {
        return record;
      }
    }
    return null;
  }
}

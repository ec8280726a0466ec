package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.header;
import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Kafka frozen for a minute (the broker keeps its connections and answers nothing): every push is
 * still accepted with 202, from the outbox in PostgreSQL; readiness stays UP; the outbox health
 * group turns DEGRADED and the relay's lag shows on /q/metrics; after the thaw every push is
 * published exactly once, with the run id its 202 named. The outage lasts {@code
 * slipway.test.kafka-pause-seconds} (default 20): four times the tests' produce-request timeout (5
 * s; production's is 30 s), so the relay's producer times out and retries its requests during the
 * outage as it would in a minute-long one under production settings. {@code
 * -Dslipway.test.kafka-pause-seconds=60} gives the original figure.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class KafkaOutageIT {

  private static final int APPLICATIONS = 5;
  private static final int PUSHES = 50;
  private static final Duration OUTAGE =
      Duration.ofSeconds(Integer.getInteger("slipway.test.kafka-pause-seconds", 20));

  @Test
  void fiftyPushesDuringAKafkaOutageAreAcceptedAndPublishedExactlyOnceAfterIt() {
    String prefix = Webhooks.unique("outage");
    List<String> apps = new ArrayList<>();
    for (int i = 0; i < APPLICATIONS; i++) {
      apps.add(prefix + "-" + i);
      Webhooks.register(
          apps.get(i), "github", "https://github.com/acme/" + apps.get(i), "sec-" + prefix);
    }
    List<String> runIds = new ArrayList<>();

    long frozenAt = System.nanoTime();
    SlipwayInfrastructure.pauseKafka();
    try {
      for (int i = 0; i < PUSHES; i++) {
        String app = apps.get(i % APPLICATIONS);
        String body = Webhooks.pushOfANewCommit(app);
        runIds.add(
            Webhooks.post(
                    "github",
                    body,
                    Webhooks.github("push", UUID.randomUUID().toString(), "sec-" + prefix, body))
                .then()
                .statusCode(202)
                .extract()
                .path("runId"));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  given()
                      .get("/q/health/group/outbox")
                      .then()
                      .statusCode(503)
                      .body("checks.find { it.name == 'outbox' }.data.state", equalTo("DEGRADED")));
      given()
          .get("/q/metrics")
          .then()
          .body(containsString("slipway_outbox_backlog "))
          .body(containsString("slipway_outbox_lag_seconds "));
      assertThat(backlogGauge()).isGreaterThanOrEqualTo(PUSHES);
      // For the rest of the outage: ready, and nothing leaves the outbox.
      Duration left = OUTAGE.minusNanos(System.nanoTime() - frozenAt);
      if (!left.isNegative()) {
        await()
            .during(left)
            .atMost(left.plusSeconds(30))
            .pollInterval(Duration.ofSeconds(2))
            .until(() -> ready() && unsentOf(apps) == PUSHES);
      }
    } finally {
      SlipwayInfrastructure.unpauseKafka();
    }

    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    apps.forEach(app -> records.addAll(recordsOf(app)));
    assertThat(records).hasSize(PUSHES);
    assertThat(records.stream().map(r -> header(r, "ce_id")).distinct()).hasSize(PUSHES);
    assertThat(records.stream().map(r -> header(r, "ce_runid")))
        .containsExactlyInAnyOrderElementsOf(runIds);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/group/outbox")
                    .then()
                    .statusCode(200)
                    .body("checks.find { it.name == 'outbox' }.data.state", equalTo("OK")));
  }

  private static boolean ready() {
    return given().get("/q/health/ready").statusCode() == 200;
  }

  private static long unsentOf(List<String> apps) {
    return apps.stream().mapToLong(CommitTopic::unsent).sum();
  }

  private static double backlogGauge() {
    String metrics = given().get("/q/metrics").asString();
    return metrics
        .lines()
        .filter(line -> line.startsWith("slipway_outbox_backlog "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }
}

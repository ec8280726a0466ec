package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.header;
import static dev.slipway.trigger.CommitTopic.recordsOf;
import static dev.slipway.trigger.CommitTopic.storedDeliveries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A broker that cannot take the record: 503 and no delivery row, so the host's retry succeeds. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class KafkaOutageTest {

  @Test
  void frozenKafkaGives503AndTheRedeliveryAfterwardsIsAccepted() {
    String app = Webhooks.unique("outage");
    String secret = "outage-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String body = Webhooks.payload("github-push.json", "acme/" + app);
    String delivery = UUID.randomUUID().toString();
    Map<String, String> headers = Webhooks.github("push", delivery, secret, body);

    long started = System.nanoTime();
    SlipwayInfrastructure.pauseKafka();
    try {
      Webhooks.post("github", body, headers)
          .then()
          .statusCode(503)
          .contentType("application/problem+json")
          .header("Retry-After", notNullValue())
          .body("type", equalTo("https://slipway.dev/problems/kafka-unavailable"));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
      assertThat(storedDeliveries(delivery)).isZero();
    } finally {
      SlipwayInfrastructure.unpauseKafka();
    }

    Response retry =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(2))
            .until(() -> Webhooks.post("github", body, headers), r -> r.statusCode() != 503);
    retry.then().statusCode(202);
    assertThat(storedDeliveries(delivery)).isEqualTo(1);
    // A frozen broker may still append the first attempt when it thaws; it then carries the same
    // event id and run id as the accepted one, so consumers deduplicate it.
    var records = recordsOf(app);
    assertThat(records).isNotEmpty();
    assertThat(records)
        .allSatisfy(r -> assertThat(header(r, "ce_runid")).isEqualTo(retry.path("runId")));
    assertThat(records.stream().map(r -> header(r, "ce_id")).distinct()).hasSize(1);
  }
}

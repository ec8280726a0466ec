package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.recordsOf;
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

/**
 * The one reason a valid push is not accepted: PostgreSQL cannot take the write. Then the answer is
 * 503 with Retry-After, nothing is stored or published, and the host's retry is accepted.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class DatabaseOutageIT {

  @Test
  void stoppedDatabaseGives503AndTheRetryAfterwardsIsAcceptedOnce() {
    String app = Webhooks.unique("db-down");
    String secret = "db-down-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String body = Webhooks.payload("github-push.json", "acme/" + app);
    Map<String, String> headers =
        Webhooks.github("push", UUID.randomUUID().toString(), secret, body);

    SlipwayInfrastructure.stopPostgres();
    try {
      Webhooks.postFor("github", app, body, headers)
          .then()
          .statusCode(503)
          .contentType("application/problem+json")
          .header("Retry-After", notNullValue())
          .body("type", equalTo("https://slipway.dev/problems/database-unavailable"));
    } finally {
      SlipwayInfrastructure.startPostgres();
    }

    Response retry =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> Webhooks.postFor("github", app, body, headers), r -> r.statusCode() != 503);
    retry.then().statusCode(202);
    var records = recordsOf(app);
    assertThat(records).hasSize(1);
    assertThat(records.get(0).headers().lastHeader("ce_runid").value())
        .asString()
        .isEqualTo(retry.<String>path("runId"));
  }
}

package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.EventJson;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A deployer can start a run of any commit without a push. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ManualRunIT {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void deployerStartsARunAsTheActor() {
    String app = Webhooks.unique("manual");
    Webhooks.register(app, "github", "https://github.com/acme/" + app, "manual-secret");

    String runId =
        given()
            .auth()
            .oauth2(TestTokens.token("dora", "deployer"))
            .contentType(ContentType.JSON)
            .body(Map.of("ref", "release/2.0", "commit", SHA.toUpperCase()))
            .post("/api/apps/" + app + "/runs")
            .then()
            .statusCode(202)
            .body("application", equalTo(app))
            .body("commit", equalTo(SHA))
            .extract()
            .path("runId");

    var records = recordsOf(app);
    assertThat(records).hasSize(1);
    assertThat(CommitTopic.header(records.get(0), "ce_runid")).isEqualTo(runId);
    CommitReceived commit = EventJson.readPayload(records.get(0).value(), CommitReceived.class);
    assertThat(commit.provider()).isEqualTo("manual");
    assertThat(commit.actor()).isEqualTo("dora");
    assertThat(commit.ref()).isEqualTo("refs/heads/release/2.0");
    assertThat(commit.commitSha()).isEqualTo(SHA);
    assertThat(commit.deliveryId()).isEqualTo(runId);
    assertThat(commit.pipeline().environments()).hasSize(2);
  }

  @Test
  void idempotencyKeyMakesARetryAnswerTheSameRunAndRefusesAnotherRequest() {
    String app = Webhooks.unique("manual-idem");
    Webhooks.register(app, "github", "https://github.com/acme/" + app, "manual-secret");
    String deployer = TestTokens.token("dora", "deployer");
    String key = "deploy-" + app;

    String first =
        manualRun(deployer, app, key, SHA).then().statusCode(202).extract().path("runId");
    String retry =
        manualRun(deployer, app, key, SHA).then().statusCode(200).extract().path("runId");
    manualRun(deployer, app, key, SHA.replace('0', 'f'))
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("field", equalTo("Idempotency-Key"));
    manualRun(deployer, app, null, SHA).then().statusCode(202);
    manualRun(deployer, app, null, SHA).then().statusCode(202);

    assertThat(retry).isEqualTo(first);
    assertThat(recordsOf(app)).hasSize(3);
  }

  @Test
  void viewerMayNotStartRuns() {
    String app = Webhooks.unique("manual-ro");
    Webhooks.register(app, "github", "https://github.com/acme/" + app, "manual-secret");
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .contentType(ContentType.JSON)
        .body(Map.of("ref", "main", "commit", SHA))
        .post("/api/apps/" + app + "/runs")
        .then()
        .statusCode(403);
    assertThat(recordsOf(app)).isEmpty();
  }

  private static io.restassured.response.Response manualRun(
      String token, String app, String key, String sha) {
    var request =
        given()
            .auth()
            .oauth2(token)
            .contentType(ContentType.JSON)
            .body(Map.of("ref", "main", "commit", sha));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return request.post("/api/apps/" + app + "/runs");
  }

  @Test
  void badCommitIs400AndUnknownApplicationIs404() {
    String app = Webhooks.unique("manual-bad");
    Webhooks.register(app, "github", "https://github.com/acme/" + app, "manual-secret");
    String deployer = TestTokens.token("dora", "deployer");
    given()
        .auth()
        .oauth2(deployer)
        .contentType(ContentType.JSON)
        .body(Map.of("ref", "main", "commit", "HEAD; rm -rf /"))
        .post("/api/apps/" + app + "/runs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("commit"));
    given()
        .auth()
        .oauth2(deployer)
        .contentType(ContentType.JSON)
        .body(Map.of("ref", "main", "commit", SHA))
        .post("/api/apps/nobody-" + app + "/runs")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    assertThat(recordsOf(app)).isEmpty();
  }
}

package dev.slipway.audit.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Ingest has a health group of its own, one check per consumer with its partitions and lag; the
 * query API's readiness does not depend on it, so the API keeps answering while Kafka is away. A
 * batch the database cannot take waits, retried, and is written once the database is back.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class IngestHealthIT {

  private static final String CONSUMERS =
      "checks.findAll { it.name.startsWith('Audit ingest consumer audit-in') }";

  @Test
  void eachConsumerReportsItsPartitionsAndLag() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/group/ingest")
                    .then()
                    .statusCode(200)
                    .body("checks.name", hasItem("Audit ingest consumer audit-in$1"))
                    .body("checks.status", everyItem(equalTo("UP")))
                    .body(CONSUMERS, hasSize(3))
                    .body(CONSUMERS + ".data.lag", everyItem(notNullValue()))
                    .body(CONSUMERS + ".data.clientId", everyItem(notNullValue())));
  }

  @Test
  void aBatchTheDatabaseCannotTakeWaitsAndIsWrittenOnceItIsBack() {
    String application = SampleEvents.newApplication();
    Envelope<CommitReceived> event =
        SampleEvents.forApplication(
            EventType.COMMIT_RECEIVED, application, SampleEvents.commitReceived());
    SlipwayInfrastructure.stopPostgres();
    try {
      KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  given()
                      .get("/q/health/group/ingest")
                      .then()
                      .statusCode(503)
                      .body(CONSUMERS + ".data.failingSince", hasItem(notNullValue())));
    } finally {
      SlipwayInfrastructure.startPostgres();
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(TestTokens.token("vera", "viewer"))
                    .get("/api/audit/runs/" + event.runId())
                    .then()
                    .statusCode(200)
                    .body("events", hasSize(1)));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> given().get("/q/health/group/ingest").then().statusCode(200));
  }

  @Test
  void whileKafkaIsAwayIngestIsDownAndTheQueryApiStaysReady() {
    SlipwayInfrastructure.pauseKafka();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () ->
                  given()
                      .get("/q/health/group/ingest")
                      .then()
                      .statusCode(503)
                      .body("checks.status", hasItem("DOWN")));
      given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    } finally {
      SlipwayInfrastructure.unpauseKafka();
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> given().get("/q/health/group/ingest").then().statusCode(200));
  }
}

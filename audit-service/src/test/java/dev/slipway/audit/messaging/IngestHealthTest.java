package dev.slipway.audit.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.SlipwayInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Ingest has a health group of its own, one check per consumer with its partitions and lag; the
 * query API's readiness does not depend on it, so the API keeps answering while Kafka is away.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class IngestHealthTest {

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

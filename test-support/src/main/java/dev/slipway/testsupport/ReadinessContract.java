package dev.slipway.testsupport;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Readiness of a service reflects its real broker and database. A service's test extends this; the
 * database is stopped and started again inside one test, so the order of tests is free.
 */
public abstract class ReadinessContract {

  private static final String MESSAGING_CHECK = "SmallRye Reactive Messaging - readiness check";
  private static final String DATABASE_CHECK = "Reactive PostgreSQL connections health check";

  @Test
  void readyWhenKafkaAndDatabaseAnswer() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .when()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("UP"))
                    .body("checks.name", hasItem(MESSAGING_CHECK))
                    .body("checks.name", hasItem(DATABASE_CHECK)));
  }

  @Test
  void notReadyWhileTheDatabaseIsDown() {
    SlipwayInfrastructure.stopPostgres();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  given()
                      .when()
                      .get("/q/health/ready")
                      .then()
                      .statusCode(503)
                      .body("status", equalTo("DOWN"))
                      .body(
                          "checks.find { it.name == '" + DATABASE_CHECK + "' }.status",
                          equalTo("DOWN")));
    } finally {
      SlipwayInfrastructure.startPostgres();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));
  }
}

package dev.slipway.build.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.build.BuildTestResource;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * A build worker killed by an OutOfMemoryError turns readiness DOWN, naming the worker and the
 * error, instead of leaving the instance with a dead thread while it looks healthy. In an instance
 * of its own (a profile), since the instance stays not ready.
 */
@QuarkusTest
@TestProfile(BuildWorkersHealthIT.OwnInstance.class)
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildWorkersHealthIT {

  /** An instance only this test uses. */
  public static class OwnInstance implements QuarkusTestProfile {}

  private final BuildWorkers workers;

  BuildWorkersHealthIT(BuildWorkers workers) {
    this.workers = workers;
  }

  @Test
  void workerKilledByOutOfMemoryErrorMakesReadinessDown() {
    given().get("/q/health/ready").then().statusCode(200);

    workers.guard(
        "test-instance/7",
        () -> {
          throw new OutOfMemoryError("Java heap space");
        });

    given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("checks.find { it.name == 'build-workers' }.status", equalTo("DOWN"))
        .body(
            "checks.find { it.name == 'build-workers' }.data.'test-instance/7'",
            containsString("OutOfMemoryError: Java heap space"));
  }
}

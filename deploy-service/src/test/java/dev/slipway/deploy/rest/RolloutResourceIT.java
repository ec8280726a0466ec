package dev.slipway.deploy.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class RolloutResourceIT {

  @Test
  void limitOutOfRangeIsAProblemNamingTheParameter() {
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("limit", 5000)
        .when()
        .get("/api/rollouts")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("limit"));
  }

  @Test
  void limitThatIsNotANumberIsAProblemNamingTheParameter() {
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("limit", "many")
        .when()
        .get("/api/rollouts")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("limit"));
  }

  @Test
  void unknownPathIsAProblem() {
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .when()
        .get("/api/rollouts/nothing/here")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }
}

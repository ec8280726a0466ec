package dev.slipway.build.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class BuildResourceIT {

  @Test
  void limitOutOfRangeIsAProblemNamingTheParameter() {
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("limit", 5000)
        .when()
        .get("/api/builds")
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
        .get("/api/builds")
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
        .get("/api/builds/nothing/here")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }
}

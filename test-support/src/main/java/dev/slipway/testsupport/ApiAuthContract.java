package dev.slipway.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

/**
 * What every service's {@code /api/**} surface must do with bearer tokens. A service's test extends
 * this with one of its protected endpoints, a role that may read it and one that may not.
 */
public abstract class ApiAuthContract {

  /** A GET endpoint under {@code /api}. */
  protected abstract String protectedPath();

  /** A role allowed to call {@link #protectedPath()}. */
  protected abstract String allowedRole();

  /** A role that is authenticated but not allowed to call {@link #protectedPath()}. */
  protected abstract String forbiddenRole();

  private static final String PROBLEM_JSON = "application/problem+json";

  @Test
  void requestWithoutTokenIsUnauthorizedAsProblemJson() {
    given()
        .when()
        .get(protectedPath())
        .then()
        .statusCode(401)
        .contentType(PROBLEM_JSON)
        .body("status", equalTo(401));
  }

  @Test
  void anyMethodAndContentTypeWithoutATokenIsUnauthorizedBeforeRouting() {
    // Authentication comes first: not 405 for the method, not 415 for the content type.
    given()
        .contentType("text/plain")
        .body("not what the endpoint reads")
        .when()
        .post(protectedPath())
        .then()
        .statusCode(401)
        .contentType(PROBLEM_JSON)
        .header("WWW-Authenticate", "Bearer");
    given()
        .auth()
        .oauth2(TestTokens.signedByStranger("mallory", allowedRole()))
        .contentType("application/octet-stream")
        .body(new byte[] {0, 1, 2})
        .when()
        .put(protectedPath())
        .then()
        .statusCode(401)
        .contentType(PROBLEM_JSON);
  }

  @Test
  void anUnknownApiPathWithoutATokenIsUnauthorizedNotNotFound() {
    given().when().get("/api/no-such-thing").then().statusCode(401).contentType(PROBLEM_JSON);
  }

  @Test
  void expiredTokenIsUnauthorized() {
    given()
        .auth()
        .oauth2(TestTokens.expired("alice", allowedRole()))
        .when()
        .get(protectedPath())
        .then()
        .statusCode(401)
        .contentType(PROBLEM_JSON);
  }

  @Test
  void tokenSignedByAnUntrustedKeyIsUnauthorized() {
    given()
        .auth()
        .oauth2(TestTokens.signedByStranger("mallory", allowedRole()))
        .when()
        .get(protectedPath())
        .then()
        .statusCode(401);
  }

  @Test
  void tokenWithoutTheRequiredRoleIsForbiddenAsProblemJson() {
    given()
        .auth()
        .oauth2(TestTokens.token("bob", forbiddenRole()))
        .when()
        .get(protectedPath())
        .then()
        .statusCode(403)
        .contentType(PROBLEM_JSON)
        .body("status", equalTo(403));
  }

  @Test
  void tokenWithTheRequiredRoleIsServed() {
    given()
        .auth()
        .oauth2(TestTokens.token("carol", allowedRole()))
        .when()
        .get(protectedPath())
        .then()
        .statusCode(200);
  }

  @Test
  void openApiDescribesTheProtectedEndpointWithBearerAuth() {
    given()
        .queryParam("format", "json")
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths.'" + protectedPath() + "'.get", notNullValue())
        .body("components.securitySchemes", notNullValue());
  }

  @Test
  void healthAndMetricsNeedNoToken() {
    given().when().get("/q/health/live").then().statusCode(200);
    given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
  }
}

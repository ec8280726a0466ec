package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditApiProblemIT {

  private final String auditor = TestTokens.token("audrey", "auditor");

  @ParameterizedTest
  @CsvSource({
    "/api/audit/events?limit=1001, limit",
    "/api/audit/events?limit=0, limit",
    "/api/audit/events?limit=ten, limit",
    "/api/audit/events?from=yesterday, from",
    "/api/audit/events?to=2026-13-01T00:00:00Z, to",
    "/api/audit/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z, from",
    "/api/audit/events?order=sideways, order",
    "/api/audit/events?after=not-a-cursor, after",
    "/api/audit/events?cursor=42, cursor",
    "/api/audit/runs/r-1?cursor=42, cursor",
    "/api/audit/verify?from=0, from",
    "/api/audit/dora?application=shop, environment",
    "/api/audit/dora?environment=prod&from=last-week, from",
    "/api/audit/export?format=xml, format",
    "/api/audit/export?format=csv&to=soon, to"
  })
  void badQueryParameterIsA400ProblemNamingIt(String path, String field) {
    given()
        .auth()
        .oauth2(auditor)
        .get(path)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("field", equalTo(field))
        .body("detail", containsString(field));
  }

  @ParameterizedTest
  @CsvSource({"/api/audit/runs/no-such-run", "/api/audit/commits/0000000000000000"})
  void unknownRunOrCommitIsA404Problem(String path) {
    given()
        .auth()
        .oauth2(auditor)
        .get(path)
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("status", equalTo(404));
  }
}

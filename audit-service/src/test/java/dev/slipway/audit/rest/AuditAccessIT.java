package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.testsupport.AccessPolicies;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Who looked is recorded; a viewer's role bindings limit which applications it sees. */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditAccessIT {

  @Inject AuditStoreWriter writer;

  @Test
  void exportsAndVerificationsAreThemselvesAudited() {
    String auditor = TestTokens.token("audrey-" + UUID.randomUUID(), "auditor");
    String caller = subjectOf(auditor);

    given().auth().oauth2(auditor).get("/api/audit/verify?from=1&to=1").then().statusCode(200);
    given()
        .auth()
        .oauth2(auditor)
        .queryParam("format", "csv")
        .queryParam("fromSeq", 1)
        .queryParam("toSeq", 2)
        .get("/api/audit/export")
        .then()
        .statusCode(200);

    JsonPath reads =
        given()
            .auth()
            .oauth2(auditor)
            .queryParam("topic", "audit.read")
            .queryParam("limit", 50)
            .get("/api/audit/events")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    List<Map<String, Object>> mine =
        reads.getList("items.findAll { it.actor == '" + caller + "' }");
    assertThat(mine).hasSize(2);
    assertThat(reads.getString("items.find { it.actor == '" + caller + "' }.event.data.operation"))
        .isEqualTo("export");
    assertThat(
            reads.getString("items.find { it.actor == '" + caller + "' }.event.data.query.format"))
        .isEqualTo("csv");
    assertThat(reads.getString("items.find { it.actor == '" + caller + "' }.type"))
        .isEqualTo("dev.slipway.audit.read.v1");
  }

  @Test
  void aViewerOfOneTeamSeesOnlyItsApplications() {
    String mine = "scoped-" + UUID.randomUUID().toString().substring(0, 8);
    String theirs = "hidden-" + UUID.randomUUID().toString().substring(0, 8);
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    writer.append(AuditTestData.records("test.scope", mine, 2, now));
    writer.append(AuditTestData.records("test.scope", theirs, 2, now));
    AccessPolicies.policy()
        .application(mine, "shop")
        .application(theirs, "bank")
        .binding("shop-viewers", "viewer", "shop", null, null)
        .publish();
    String viewer = TestTokens.token("vic", "shop-viewers");

    JsonPath visible =
        given()
            .auth()
            .oauth2(viewer)
            .queryParam("topic", "test.scope")
            .queryParam("limit", 1000)
            .get("/api/audit/events")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(visible.getList("items.application", String.class)).containsOnly(mine);
    given()
        .auth()
        .oauth2(viewer)
        .queryParam("application", theirs)
        .get("/api/audit/events")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("field", equalTo("application"));
    given().auth().oauth2(viewer).get("/api/audit/runs/run-" + theirs).then().statusCode(404);
    given().auth().oauth2(viewer).get("/api/audit/runs/run-" + mine).then().statusCode(200);
    given()
        .auth()
        .oauth2(viewer)
        .queryParam("application", theirs)
        .queryParam("environment", "prod")
        .get("/api/audit/dora")
        .then()
        .statusCode(403);
    // An auditor bound to the whole platform sees everything.
    String auditor = TestTokens.token("aud", "auditor");
    given().auth().oauth2(auditor).get("/api/audit/runs/run-" + theirs).then().statusCode(200);
  }

  private static String subjectOf(String token) {
    String payload = token.split("\\.")[1];
    return JsonPath.from(new String(Base64.getUrlDecoder().decode(payload), UTF_8))
        .getString("sub");
  }
}

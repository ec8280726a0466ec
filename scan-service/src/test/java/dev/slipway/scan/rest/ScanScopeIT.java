package dev.slipway.scan.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import dev.slipway.testsupport.AccessPolicies;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Roles are scoped: a deployer of team shop reads and scans shop's applications; bank's scans, the
 * platform-wide exposure view and the advisory import are 403 for them.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ScanScopeIT {

  @Test
  void aDeployerOfOneTeamCannotReadOrScanAnotherTeamsApplication() {
    String shop = "shop-" + UUID.randomUUID().toString().substring(0, 8);
    String bank = "bank-" + UUID.randomUUID().toString().substring(0, 8);
    AccessPolicies.policy()
        .application(shop, "shop")
        .application(bank, "bank")
        .binding("shop-deployers", "deployer", "shop", null, null)
        .publish();
    String dave = TestTokens.token("dave", "shop-deployers");

    given()
        .auth()
        .oauth2(dave)
        .queryParam("application", shop)
        .get("/api/scans")
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2(dave)
        .queryParam("application", bank)
        .get("/api/scans")
        .then()
        .statusCode(403)
        .body("detail", containsString("team bank"));
    given()
        .auth()
        .oauth2(dave)
        .multiPart("sbom", "sbom.json", "{}".getBytes(), "application/json")
        .multiPart("application", bank)
        .post("/api/scans")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(dave)
        .queryParam("purl", "pkg:npm/minimist@1.2.5")
        .get("/api/exposure")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(TestTokens.token("dave", "shop-deployers", "admin"))
        .queryParam("purl", "pkg:npm/minimist@1.2.5")
        .get("/api/exposure")
        .then()
        .statusCode(200);
  }
}

package dev.slipway.scan;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Fail closed: when the configured advisory import fails (here its folder does not exist), a scan
 * ends ERROR with that reason instead of passing, unless the policy opts out explicitly; the
 * database's state and reason show in status and readiness.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@TestProfile(FailClosedIT.MissingFolder.class)
class FailClosedIT {

  /** An advisory folder that does not exist. */
  public static class MissingFolder implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("slipway.scan.advisories.directory", "target/no-such-advisory-folder");
    }
  }

  @Test
  void aScanWithoutAUsableDatabaseEndsErrorAndAnExplicitOptOutPasses() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(ScanFixtures.VIEWER)
                    .get("/api/vulnerabilities/status")
                    .then()
                    .statusCode(200)
                    .body("state", equalTo("FAILED"))
                    .body("reason", containsString("no-such-advisory-folder does not exist")));
    byte[] sbom = ScanFixtures.sbom("pkg:npm/minimist@1.2.5");
    scan(sbom, null)
        .statusCode(201)
        .body("status", equalTo("ERROR"))
        .body("reason", containsString("failed to import"))
        .body("reason", containsString("nothing is deployed"));
    scan(sbom, "{\"failOn\":\"CRITICAL\",\"allowWithoutDatabase\":true}")
        .statusCode(201)
        .body("status", org.hamcrest.Matchers.not(equalTo("ERROR")))
        .body("reason", containsString("the policy allows scanning without one"));
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'advisory-database' }.data.state", equalTo("FAILED"));
  }

  private static ValidatableResponse scan(byte[] sbom, String policy) {
    var request =
        given()
            .auth()
            .oauth2(ScanFixtures.DEPLOYER)
            .multiPart("sbom", "bom.cdx.json", sbom, "application/vnd.cyclonedx+json");
    if (policy != null) {
      request = request.multiPart("policy", policy);
    }
    return request.post("/api/scans").then();
  }
}

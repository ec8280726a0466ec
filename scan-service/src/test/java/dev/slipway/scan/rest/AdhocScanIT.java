package dev.slipway.scan.rest;

import static dev.slipway.scan.ScanFixtures.DEPLOYER;
import static dev.slipway.scan.ScanFixtures.VIEWER;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.slipway.events.EventJson;
import dev.slipway.scan.Advisories;
import dev.slipway.scan.ScanFixtures;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ad-hoc scans of uploaded SBOMs, their SARIF and SBOM, and every bad input. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class AdhocScanIT {

  @Test
  void log4ShellInAnUploadedSbomFailsTheDefaultPolicyAndIsStored() {
    String application = ScanFixtures.newApplication();
    byte[] sbom =
        ScanFixtures.sbom(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "pkg:npm/minimist@1.2.6");
    String scanId =
        scan(sbom, null, application)
            .statusCode(201)
            .header("Location", containsString("/api/scans/"))
            .body("kind", equalTo("ADHOC"))
            .body("status", equalTo("FAILED"))
            .body("requestedBy", equalTo("dev"))
            .body("policy.failOn", equalTo("HIGH"))
            .body("components", equalTo(2))
            .body("counts.CRITICAL", equalTo(2))
            .body("findings.advisoryId", hasItem(Advisories.LOG4SHELL))
            .body(
                "findings.find { it.advisoryId == '" + Advisories.LOG4SHELL + "' }.aliases",
                equalTo(List.of("CVE-2021-44228")))
            .body(
                "findings.find { it.advisoryId == '" + Advisories.LOG4SHELL + "' }.fixedVersion",
                equalTo("2.15.0"))
            .extract()
            .path("scanId");

    given()
        .auth()
        .oauth2(VIEWER)
        .get("/api/scans/" + scanId + "/sbom")
        .then()
        .statusCode(200)
        .contentType("application/vnd.cyclonedx+json")
        .body("components", hasSize(2));
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("application", application)
        .get("/api/scans")
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].findings", nullValue());
  }

  @Test
  void everyEcosystemIsMatchedAndWhatCannotBeIsReportedWithItsReason() throws Exception {
    ScanFixtures.importZip(
            ScanFixtures.zip(
                java.util.Map.of(
                    "azure.json", Advisories.bytes(Advisories.AZURE),
                    "go.json", Advisories.bytes(Advisories.GO_X_NET),
                    "rack.json", Advisories.bytes(Advisories.RACK),
                    "tokio.json", Advisories.bytes(Advisories.TOKIO),
                    "psr7.json", Advisories.bytes(Advisories.PSR7),
                    "oidcc.json", Advisories.bytes(Advisories.OIDCC))))
        .statusCode(200);
    com.fasterxml.jackson.databind.node.ObjectNode bom =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            EventJson.mapper()
                .readTree(
                    ScanFixtures.sbom(
                        "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.5.2",
                        // The same module as tools that lower-case Go purls spell it.
                        "pkg:golang/github.com/azure/azure-sdk-for-go/sdk/azidentity@v1.5.1",
                        "pkg:golang/golang.org/x/net@v0.3.0",
                        "pkg:nuget/Azure.Identity@1.11.3",
                        "pkg:gem/rack@2.2.3",
                        "pkg:cargo/tokio@1.13.0",
                        "pkg:composer/guzzlehttp/psr7@v2.0.0",
                        "pkg:hex/oidcc@3.1.1",
                        "pkg:npm/left-pad@latest",
                        "pkg:swift/github.com/apple/swift-nio@2.0.0"));
    // A vendored library the SBOM lists without a purl, under a licence the policy denies.
    ((com.fasterxml.jackson.databind.node.ArrayNode) bom.get("components"))
        .addObject()
        .put("type", "library")
        .put("bom-ref", "vendored")
        .put("name", "vendored-blob")
        .put("version", "2.1")
        .putArray("licenses")
        .addObject()
        .putObject("license")
        .put("id", "AGPL-3.0-or-later");
    scan(EventJson.writePayload(bom), "{\"failOn\":\"HIGH\",\"deniedLicenses\":[\"AGPL-3.0\"]}")
        .statusCode(201)
        .body("status", equalTo("FAILED"))
        .body(
            "findings.advisoryId",
            org.hamcrest.Matchers.hasItems(
                Advisories.AZURE,
                Advisories.GO_X_NET,
                Advisories.RACK,
                Advisories.TOKIO,
                Advisories.PSR7,
                Advisories.OIDCC))
        .body(
            "findings.find { it.packageUrl.startsWith('pkg:golang/github.com/Azure') }.fixedVersion",
            equalTo("1.6.0"))
        .body(
            "findings.find { it.packageUrl.startsWith('pkg:golang/github.com/azure') }.advisoryId",
            equalTo(Advisories.AZURE))
        .body("findings.find { it.advisoryId == 'GO-2022-1144' }.severity", equalTo("UNKNOWN"))
        .body("findings.find { it.advisoryId == 'GO-2022-1144' }.blocking", equalTo(true))
        .body(
            "findings.find { it.advisoryId == 'GO-2022-1144' }.note",
            containsString("gated as HIGH"))
        .body("unmatched", equalTo(3))
        .body(
            "unmatchedComponents.reason",
            org.hamcrest.Matchers.containsInAnyOrder(
                "version 'latest' is not a npm version",
                "no advisory database covers pkg:swift/github.com/apple",
                "no package URL"))
        .body("licenseViolations[0].component", equalTo("vendored-blob@2.1"))
        .body("licenseViolations[0].license", equalTo("AGPL-3.0-or-later"));
  }

  @Test
  void policyInTheRequestDecidesAndADeniedLicenceFails() {
    byte[] sbom =
        ScanFixtures.sbom(
            "pkg:npm/minimist@1.2.5",
            "pkg:npm/left-pad@1.3.0|AGPL-3.0-only",
            "pkg:npm/ok@1.0.0|MIT");
    String policy =
        """
        {"failOn": "CRITICAL", "deniedLicenses": ["AGPL-3.0-only"],
         "ignores": [{"id": "CVE-2021-44906", "reason": "trusted input", "expires": "2999-12-31"}]}
        """;
    scan(sbom, policy)
        .statusCode(201)
        .body("status", equalTo("FAILED"))
        .body("policy.failOn", equalTo("CRITICAL"))
        .body("findings[0].ignored", equalTo(true))
        .body("findings[0].note", equalTo("ignored until 2999-12-31: trusted input"))
        .body("licenseViolations", hasSize(1))
        .body("licenseViolations[0].packageUrl", equalTo("pkg:npm/left-pad@1.3.0"))
        .body("reason", equalTo("denied licence: AGPL-3.0-only in pkg:npm/left-pad@1.3.0"));
  }

  @Test
  void sarifOfAScanIsValidAgainstTheSarif210Schema() throws Exception {
    byte[] sbom =
        ScanFixtures.sbom(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "pkg:pypi/py@1.11.0",
            "pkg:golang/golang.org/x/text@v0.3.7");
    String scanId =
        scan(sbom, "{\"ignoreUnfixed\": true}").statusCode(201).extract().path("scanId");

    String sarif =
        given()
            .auth()
            .oauth2(VIEWER)
            .get("/api/scans/" + scanId + "/sarif")
            .then()
            .statusCode(200)
            .contentType("application/sarif+json")
            .body("version", equalTo("2.1.0"))
            .body("runs[0].tool.driver.name", equalTo("Slipway scan-service"))
            .body("runs[0].results.ruleId", hasItem(Advisories.LOG4SHELL))
            .body(
                "runs[0].tool.driver.rules.find { it.id == '"
                    + Advisories.LOG4SHELL
                    + "' }.properties.'security-severity'",
                equalTo("10.0"))
            .body(
                "runs[0].results.find { it.ruleId == '"
                    + Advisories.PY
                    + "' }.suppressions[0].kind",
                equalTo("external"))
            .extract()
            .asString();

    Schema schema;
    try (InputStream in = getClass().getResourceAsStream("/schemas/sarif-schema-2.1.0.json")) {
      schema =
          SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
              .getSchema(in, InputFormat.JSON);
    }
    JsonNode log = EventJson.mapper().readTree(sarif);
    List<Error> errors = schema.validate(log);
    assertThat(errors).isEmpty();
    assertThat(log.at("/runs/0/results")).hasSize(4);
  }

  @Test
  void badInputIsAProblemNamingTheField() {
    given()
        .auth()
        .oauth2(DEPLOYER)
        .multiPart("application", "x")
        .post("/api/scans")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("sbom"));
    scan("{\"bomFormat\": \"SPDX\"}".getBytes(StandardCharsets.UTF_8), null)
        .statusCode(400)
        .body("field", equalTo("sbom"))
        .body("detail", containsString("CycloneDX"));
    scan("{not json".getBytes(StandardCharsets.UTF_8), null)
        .statusCode(400)
        .body("field", equalTo("sbom"));
    scan(
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": [{\"type\": 5}]}"
                .getBytes(StandardCharsets.UTF_8),
            null)
        .statusCode(400)
        .body("field", equalTo("sbom"));
    scan(ScanFixtures.sbom("pkg:npm/a@1.0.0"), "{\"failOn\": \"SEVERE\"}")
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("policy.failOn"));
    scan(
            ScanFixtures.sbom("pkg:npm/a@1.0.0"),
            "{\"ignores\": [{\"id\": \"CVE-1\", \"reason\": \"r\"}]}")
        .statusCode(400)
        .body("field", equalTo("policy.ignores[0].expires"));
  }

  @Test
  void anSbomLargerThanAllowedIs413() {
    // The test profile allows 1 MiB.
    byte[] big = new byte[1024 * 1024 + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    scan(big, null)
        .statusCode(413)
        .contentType("application/problem+json")
        .body("field", equalTo("sbom"));
  }

  @Test
  void unknownScansAre404AndOnlyDeployersScan() {
    given()
        .auth()
        .oauth2(VIEWER)
        .get("/api/scans/nope")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given().auth().oauth2(VIEWER).get("/api/scans/nope/sarif").then().statusCode(404);
    given().auth().oauth2(VIEWER).get("/api/scans/nope/sbom").then().statusCode(404);
    given()
        .auth()
        .oauth2(VIEWER)
        .multiPart("sbom", "bom.json", ScanFixtures.sbom("pkg:npm/a@1.0.0"), "application/json")
        .post("/api/scans")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
  }

  @Test
  void scansArePagedNewestFirstWithACursor() {
    String application = ScanFixtures.newApplication();
    for (int i = 0; i < 3; i++) {
      scan(ScanFixtures.sbom("pkg:npm/page-" + i + "@1.0.0"), null, application).statusCode(201);
    }
    ValidatableResponse first =
        given()
            .auth()
            .oauth2(VIEWER)
            .queryParam("application", application)
            .queryParam("limit", 2)
            .get("/api/scans")
            .then()
            .statusCode(200)
            .body("items", hasSize(2));
    String next = first.extract().path("next");
    List<String> firstIds = first.extract().path("items.scanId");
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("application", application)
        .queryParam("limit", 2)
        .queryParam("after", next)
        .get("/api/scans")
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].scanId", org.hamcrest.Matchers.not(org.hamcrest.Matchers.in(firstIds)))
        .body("next", nullValue());
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("after", "garbage!")
        .get("/api/scans")
        .then()
        .statusCode(400)
        .body("field", equalTo("after"));
  }

  public static ValidatableResponse scan(byte[] sbom, String policy) {
    return scan(sbom, policy, null);
  }

  public static ValidatableResponse scan(byte[] sbom, String policy, String application) {
    var request =
        given()
            .auth()
            .oauth2(DEPLOYER)
            .multiPart("sbom", "bom.cdx.json", sbom, "application/vnd.cyclonedx+json");
    if (policy != null) {
      request = request.multiPart("policy", policy);
    }
    if (application != null) {
      request = request.multiPart("application", application);
    }
    return request.post("/api/scans").then();
  }
}

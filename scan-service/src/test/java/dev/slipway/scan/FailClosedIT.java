package dev.slipway.scan;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.EventType;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.scan.messaging.BuildScanIT;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fail closed, in a schema of its own so no other test's import fills it: when the configured
 * advisory import fails (here its folder does not exist), a scan ends ERROR with that reason
 * instead of passing; when the folder then appears empty, the database is EMPTY (nothing imported)
 * and a build scan through the broker ends ERROR too: scan.done says ERROR, which deploy-service's
 * gate refuses, and no deploy.requested is written. An application's policy that opts out
 * explicitly ({@code allowWithoutDatabase}) passes and deploys; the database's state and reason
 * show in status and readiness.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@TestProfile(FailClosedIT.MissingFolder.class)
class FailClosedIT {

  private static final Path FOLDER = Path.of("target/no-such-advisory-folder");
  private static final String SCHEMA =
      "fail_closed_" + UUID.randomUUID().toString().substring(0, 8);
  private static final ScanPolicy HIGH = new ScanPolicy(Severity.HIGH, false);

  /** An advisory folder that does not exist, and a schema no other test imported into. */
  public static class MissingFolder implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Files.deleteIfExists(FOLDER);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.of(
          "slipway.scan.advisories.directory",
          FOLDER.toString(),
          "quarkus.flyway.schemas",
          SCHEMA,
          "quarkus.datasource.jdbc.additional-jdbc-properties.currentSchema",
          SCHEMA,
          "quarkus.datasource.reactive.additional-properties.search_path",
          SCHEMA);
    }
  }

  @Inject Pool pool;

  @AfterAll
  static void removeFolder() throws IOException {
    Files.deleteIfExists(FOLDER);
  }

  @Test
  void aScanWithoutAUsableDatabaseEndsErrorAndAnExplicitOptOutPasses() throws IOException {
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

    emptyDatabaseStopsABuildAndAnExplicitOptOutDeploysIt();
  }

  /** The folder appears with nothing in it: the import retried succeeds and imports nothing. */
  private void emptyDatabaseStopsABuildAndAnExplicitOptOutDeploysIt() throws IOException {
    Files.createDirectories(FOLDER);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(ScanFixtures.VIEWER)
                    .get("/api/vulnerabilities/status")
                    .then()
                    .body("state", equalTo("EMPTY"))
                    .body("version", equalTo("empty")));

    String stopped = ScanFixtures.newApplication();
    ScanFixtures.sendBuild(stopped, HIGH, "pkg:npm/minimist@1.2.5");
    String optedOut = ScanFixtures.newApplication();
    ScanFixtures.sendBuild(
        optedOut,
        new ScanPolicy(Severity.HIGH, false, List.of(), null, true),
        "pkg:npm/minimist@1.2.5");

    ScanDone done = BuildScanIT.awaitEvent(Topics.SCAN_DONE, stopped, EventType.SCAN_DONE).data();
    assertThat(done.verdict()).isEqualTo(ScanDone.Verdict.ERROR);
    assertThat(done.reason())
        .startsWith("no advisory database: nothing has been imported")
        .contains("nothing is deployed");
    assertThat(done.dbVersion()).isEqualTo("empty");
    assertThat(outboxRows(stopped, Topics.SCAN_DONE)).isOne();
    assertThat(outboxRows(stopped, Topics.DEPLOY_REQUESTED)).isZero();

    ScanDone allowed =
        BuildScanIT.awaitEvent(Topics.SCAN_DONE, optedOut, EventType.SCAN_DONE).data();
    assertThat(allowed.verdict()).isEqualTo(ScanDone.Verdict.PASSED);
    assertThat(allowed.policy().allowWithoutDatabase()).isTrue();
    assertThat(allowed.reason()).contains("the policy allows scanning without one");
    assertThat(
            BuildScanIT.awaitEvent(Topics.DEPLOY_REQUESTED, optedOut, EventType.DEPLOY_REQUESTED)
                .data()
                .environment())
        .isEqualTo("dev");
    // The stopped build's transaction wrote its scan.done and no deploy.requested.
    assertThat(outboxRows(stopped, Topics.DEPLOY_REQUESTED)).isZero();
  }

  private long outboxRows(String application, String topic) {
    return ScanFixtures.outboxRows(pool, application, topic);
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

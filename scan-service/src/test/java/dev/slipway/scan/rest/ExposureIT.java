package dev.slipway.scan.rest;

import static dev.slipway.scan.ScanFixtures.VIEWER;
import static dev.slipway.scan.ScanFixtures.importZip;
import static dev.slipway.scan.ScanFixtures.scansOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.events.VulnerabilityFound;
import dev.slipway.scan.Advisories;
import dev.slipway.scan.ScanFixtures;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * "Where is this CVE running?" over deploy.done and the scanned components of each digest, and the
 * re-evaluation an import triggers: a running prod digest newly matched is announced on
 * vulnerability.found (real Kafka, PostgreSQL, registry).
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ExposureIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void anAdvisoryImportedAfterTheDeployFindsTheRunningDigest() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String pkg = "left-" + suffix;
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String sbomRef = ScanFixtures.pushSbomOf(application, digest, "pkg:npm/" + pkg + "@1.0.0");
    KafkaTestClient.send(
        Topics.BUILD_DONE,
        ScanFixtures.built(
            application, digest, sbomRef, new ScanPolicy(Severity.HIGH, false), List.of()));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> scansOf(application).body("items[0].status", equalTo("PASSED")));
    KafkaTestClient.send(
        Topics.DEPLOY_DONE,
        ScanFixtures.deployed(application, "prod", DeployDone.Status.SUCCEEDED, digest, null));

    // Last week's release, a CVE published today.
    String id = "GHSA-expo-" + suffix;
    String cve = "CVE-2099-" + Math.abs(suffix.hashCode() % 100000);
    ObjectNode advisory = Advisories.document(Advisories.MINIMIST);
    advisory.put("id", id).putArray("aliases").add(cve);
    ArrayNode affected = advisory.putArray("affected");
    ObjectNode entry = affected.addObject();
    entry.putObject("package").put("ecosystem", "npm").put("name", pkg);
    ArrayNode events =
        entry.putArray("ranges").addObject().put("type", "ECOSYSTEM").putArray("events");
    events.addObject().put("introduced", "0");
    events.addObject().put("fixed", "1.0.1");
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("vulnerability", cve)
        .get("/api/exposure")
        .then()
        .statusCode(404);
    importZip(VulnerabilityImportIT.zipOf(advisory)).statusCode(200).body("inserted", equalTo(1));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                exposure("vulnerability", cve)
                    .body("advisories", equalTo(List.of(id)))
                    .body("exposures", hasSize(1))
                    .body("exposures[0].application", equalTo(application))
                    .body("exposures[0].environment", equalTo("prod"))
                    .body("exposures[0].digest", equalTo(digest))
                    .body("exposures[0].version", equalTo("1.0.0"))
                    .body("exposures[0].vulnerabilities[0].fixedVersion", equalTo("1.0.1")));
    exposure("purl", "pkg:npm/" + pkg)
        .body("exposures", hasSize(1))
        .body("exposures[0].vulnerabilities[0].id", equalTo(id))
        .body("exposures[0].vulnerabilities[0].aliases", equalTo(List.of(cve)));

    // The import re-evaluated the running digest: a CRITICAL finding above the release's HIGH
    // policy, announced once on vulnerability.found and listed by GET /api/exposure.
    ConsumerRecord<String, byte[]> record =
        KafkaTestClient.awaitRecord(Topics.VULNERABILITY_FOUND, application, WAIT);
    VulnerabilityFound found = EventJson.readPayload(record.value(), VulnerabilityFound.class);
    assertThat(found.environment()).isEqualTo("prod");
    assertThat(found.imageDigest()).isEqualTo(digest);
    assertThat(found.finding().advisoryId()).isEqualTo(id);
    assertThat(found.finding().packageUrl()).isEqualTo("pkg:npm/" + pkg + "@1.0.0");
    assertThat(found.gatedAs()).isEqualTo(Severity.CRITICAL);
    assertThat(found.failOn()).isEqualTo(Severity.HIGH);
    assertThat(KafkaTestClient.header(record, "ce_id"))
        .isEqualTo(
            Envelope.derivedId(
                "vulnerability.found",
                application,
                "prod",
                digest,
                "pkg:npm/" + pkg + "@1.0.0",
                id));
    assertThat(KafkaTestClient.header(record, "ce_type"))
        .isEqualTo("dev.slipway.vulnerability.found.v1");
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("limit", "500")
        .get("/api/exposure")
        .then()
        .statusCode(200)
        .body("items.findAll { it.application == '" + application + "' }", hasSize(1))
        .body("items.find { it.application == '" + application + "' }.advisoryId", equalTo(id))
        .body(
            "items.find { it.application == '" + application + "' }.gatedAs", equalTo("CRITICAL"));
    // Importing the same record again changes nothing and announces nothing new.
    importZip(VulnerabilityImportIT.zipOf(advisory)).statusCode(200).body("unchanged", equalTo(1));
  }

  @Test
  void aDebianAdvisoryOfAnotherReleaseNeverMatchesTheRunningImage() {
    // A Debian 12 image running nginx at a version DSA-3029-1 fixes only for Debian 7.
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    scanAndWait(
        application,
        digest,
        "pkg:deb/debian/nginx-light@1.2.1-2.2+wheezy2?arch=amd64&distro=debian-12&upstream=nginx");
    KafkaTestClient.send(
        Topics.DEPLOY_DONE,
        ScanFixtures.deployed(application, "prod", DeployDone.Status.SUCCEEDED, digest, null));
    importZip(
            ScanFixtures.zip(
                java.util.Map.of("DSA-3029-1.json", Advisories.bytes(Advisories.NGINX_DSA))))
        .statusCode(200);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                exposure("purl", "pkg:deb/debian/nginx-light")
                    .body(
                        "exposures.findAll { it.application == '" + application + "' }", hasSize(1))
                    .body(
                        "exposures.find { it.application == '" + application + "' }.release",
                        equalTo("12"))
                    .body(
                        "exposures.find { it.application == '"
                            + application
                            + "' }.vulnerabilities",
                        hasSize(0)));
    exposure("vulnerability", "CVE-2014-3616")
        .body("exposures.findAll { it.application == '" + application + "' }", hasSize(0));
  }

  @Test
  void aRollbackMakesTheRestoredDigestTheOneThatServes() {
    String application = ScanFixtures.newApplication();
    String vulnerable = ScanFixtures.newDigest();
    String fixed = ScanFixtures.newDigest();
    scanAndWait(application, vulnerable, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    scanAndWait(application, fixed, "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1");
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    KafkaTestClient.send(
        Topics.DEPLOY_DONE,
        ScanFixtures.deployed(
            application, "dev", DeployDone.Status.SUCCEEDED, vulnerable, now.minusMinutes(10)));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                exposure("vulnerability", "CVE-2021-44228")
                    .body(
                        "exposures.findAll { it.application == '" + application + "' }",
                        hasSize(1)));

    // A deploy of the fixed digest was rolled back: the vulnerable one serves again. Then the fixed
    // one goes out for good.
    KafkaTestClient.send(
        Topics.DEPLOY_DONE,
        ScanFixtures.deployed(
            application, "dev", DeployDone.Status.ROLLED_BACK, vulnerable, now.minusMinutes(5)));
    KafkaTestClient.send(
        Topics.DEPLOY_DONE,
        ScanFixtures.deployed(application, "dev", DeployDone.Status.SUCCEEDED, fixed, now));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                exposure("vulnerability", Advisories.LOG4SHELL)
                    .body(
                        "exposures.findAll { it.application == '" + application + "' }",
                        hasSize(0)));
    exposure("purl", "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1")
        .body(
            "exposures.findAll { it.application == '" + application + "' }.digest",
            equalTo(List.of(fixed)));
  }

  @Test
  void atMostOneQueryAndItMustBeReadable() {
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("vulnerability", "CVE-2021-44228")
        .queryParam("purl", "pkg:npm/a")
        .get("/api/exposure")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("purl"));
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("purl", "not-a-purl")
        .get("/api/exposure")
        .then()
        .statusCode(400)
        .body("field", equalTo("purl"));
  }

  @Test
  void anUnreadableDeployDoneGoesToTheDeadLetterTopic() {
    String key = "broken-" + UUID.randomUUID();
    KafkaTestClient.sendRaw(Topics.DEPLOY_DONE, key, "{".getBytes(StandardCharsets.UTF_8));
    KafkaTestClient.awaitRecord(Topics.dlq(Topics.DEPLOY_DONE), key, WAIT);
  }

  private static void scanAndWait(String application, String digest, String purl) {
    String sbomRef = ScanFixtures.pushSbomOf(application, digest, purl);
    KafkaTestClient.send(
        Topics.BUILD_DONE,
        ScanFixtures.built(
            application, digest, sbomRef, new ScanPolicy(Severity.HIGH, false), List.of()));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                scansOf(application)
                    .body(
                        "items.findAll { it.imageDigest == '"
                            + digest
                            + "' && it.finishedAt != null }",
                        hasSize(1)));
  }

  private static ValidatableResponse exposure(String parameter, String value) {
    return given()
        .auth()
        .oauth2(VIEWER)
        .queryParam(parameter, value)
        .get("/api/exposure")
        .then()
        .statusCode(200);
  }
}

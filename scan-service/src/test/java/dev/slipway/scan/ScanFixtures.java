package dev.slipway.scan;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.BuildDone;
import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.RunContext;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.client.OciSbomClient;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.TestTokens;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** SBOMs, builds, deploys and zips for scan-service's tests. */
public final class ScanFixtures {

  public static final String VIEWER = TestTokens.token("vera", "viewer");
  public static final String ADMIN = TestTokens.token("ada", "admin");
  public static final String DEPLOYER = TestTokens.token("dev", "deployer");

  private ScanFixtures() {}

  /** A CycloneDX 1.5 JSON SBOM of {@code components}: purl, or "purl|licence expression". */
  public static byte[] sbom(String... components) {
    ObjectNode bom = EventJson.mapper().createObjectNode();
    bom.put("bomFormat", "CycloneDX")
        .put("specVersion", "1.5")
        .put("serialNumber", "urn:uuid:" + UUID.randomUUID())
        .put("version", 1);
    ArrayNode list = bom.putArray("components");
    for (String spec : components) {
      String[] parts = spec.split("\\|", 2);
      String purl = parts[0];
      String nameAndVersion = purl.substring(purl.lastIndexOf('/') + 1);
      ObjectNode component =
          list.addObject()
              .put("type", "library")
              .put("bom-ref", purl)
              .put("name", nameAndVersion.substring(0, nameAndVersion.indexOf('@')))
              .put("version", nameAndVersion.substring(nameAndVersion.indexOf('@') + 1))
              .put("purl", purl);
      if (parts.length == 2) {
        component.putArray("licenses").addObject().put("expression", parts[1]);
      }
    }
    return EventJson.writePayload(bom);
  }

  /** Pushes {@code sbom} as build-service does and returns its sbomRef. */
  public static String pushSbom(String repository, String imageDigest, byte[] sbom) {
    String digest =
        OciRegistry.pushArtifact(
            repository,
            "sha256-" + imageDigest.substring("sha256:".length()) + ".sbom",
            OciSbomClient.CYCLONEDX_JSON,
            sbom);
    return OciRegistry.address() + "/" + repository + "@" + digest;
  }

  /** Pushes an SBOM of {@code components} for the image {@code digest} of {@code application}. */
  public static String pushSbomOf(String application, String digest, String... components) {
    return pushSbom("acme/" + application, digest, sbom(components));
  }

  /**
   * Sends the build.done of a new image of {@code application} whose pushed SBOM holds {@code
   * components}, under {@code policy}; returns it.
   */
  public static Envelope<BuildDone> sendBuild(
      String application, ScanPolicy policy, String... components) {
    String digest = newDigest();
    Envelope<BuildDone> built =
        built(application, digest, pushSbomOf(application, digest, components), policy, List.of());
    dev.slipway.testsupport.KafkaTestClient.send(dev.slipway.events.Topics.BUILD_DONE, built);
    return built;
  }

  /** A fresh image digest. */
  public static String newDigest() {
    return OciSbomClient.sha256(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
  }

  /** A pipeline of dev then prod with {@code policy}. */
  public static PipelineSnapshot pipeline(ScanPolicy policy) {
    return new PipelineSnapshot(
        List.of(
            new EnvironmentSpec(
                "dev",
                "local",
                "shop-dev",
                EnvironmentSpec.Promotion.AUTO,
                0,
                Strategy.ROLLING,
                List.of()),
            new EnvironmentSpec(
                "prod",
                "local",
                "shop-prod",
                EnvironmentSpec.Promotion.MANUAL,
                1,
                Strategy.ROLLING,
                List.of())),
        policy);
  }

  /** A successful build.done of {@code application} whose SBOM is at {@code sbomRef}. */
  public static Envelope<BuildDone> built(
      String application,
      String imageDigest,
      String sbomRef,
      ScanPolicy policy,
      List<VulnerabilityIgnore> ignores) {
    RunContext sample = SampleEvents.runContext();
    RunContext run =
        new RunContext(
            sample.repoUrl(), sample.ref(), sample.author(), sample.actor(), pipeline(policy));
    BuildDone done =
        new BuildDone(
            BuildStatus.SUCCEEDED,
            new ImageRef(OciRegistry.address() + "/acme/" + application + ":3f2a1c9", imageDigest),
            sbomRef,
            new TestCounts(10, 0, 0),
            1_000,
            "builds/" + application + "/log",
            "build-" + UUID.randomUUID(),
            null,
            Map.of(),
            ignores,
            run);
    return SampleEvents.forApplication(EventType.BUILD_DONE, application, done);
  }

  /** A deploy.done saying {@code digest} serves in {@code environment} of {@code application}. */
  public static Envelope<DeployDone> deployed(
      String application,
      String environment,
      DeployDone.Status status,
      String digest,
      OffsetDateTime time) {
    DeployDone done =
        new DeployDone(
            environment,
            "local",
            application + "-" + environment,
            status,
            3,
            "rollout " + status,
            "registry/acme/" + application,
            digest,
            digest,
            Strategy.ROLLING,
            DeployRequested.Reason.SCAN_PASSED,
            1_000L);
    return new Envelope<>(
        UUID.randomUUID().toString(),
        "/slipway/deploy-service",
        EventType.DEPLOY_DONE.ceType(),
        time == null ? OffsetDateTime.now(ZoneOffset.UTC) : time,
        application,
        UUID.randomUUID().toString(),
        null,
        SampleEvents.COMMIT,
        done);
  }

  /** A zip of named files. */
  public static byte[] zip(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Imports {@code zip} as an admin and returns the answer. */
  public static ValidatableResponse importZip(byte[] zip) {
    return given()
        .auth()
        .oauth2(ADMIN)
        .contentType("application/zip")
        .body(zip)
        .post("/api/vulnerabilities/import")
        .then();
  }

  /** The scans of {@code application}, as a viewer. */
  public static ValidatableResponse scansOf(String application) {
    return given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("application", application)
        .get("/api/scans")
        .then()
        .statusCode(200);
  }

  /** A fresh application name. */
  public static String newApplication() {
    return SampleEvents.newApplication();
  }

  /** Outbox rows of {@code application} for {@code topic}, whatever their state. */
  public static long outboxRows(Pool pool, String application, String topic) {
    return pool.preparedQuery("SELECT count(*) FROM outbox WHERE application = $1 AND topic = $2")
        .execute(Tuple.of(application, topic))
        .await()
        .indefinitely()
        .iterator()
        .next()
        .getLong(0);
  }
}

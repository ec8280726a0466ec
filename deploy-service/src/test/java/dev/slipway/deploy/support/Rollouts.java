package dev.slipway.deploy.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.TestTokens;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Follows rollouts through deploy-service's API and the events it publishes. */
public final class Rollouts {

  private Rollouts() {}

  /**
   * Sends scan-service's PASSED verdict on the request's digest (a rollout applies nothing
   * scan-service did not pass), then {@code request} to deploy.requested, and returns the id of the
   * rollout it asks for.
   */
  public static String request(Envelope<DeployRequested> request) {
    scanPassed(request.subject(), request.data().image(), request.data().imageDigest());
    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, request);
    return request.id();
  }

  /** Sends scan.done PASSED for {@code digest} of {@code application}, as scan-service would. */
  public static void scanPassed(String application, String image, String digest) {
    scanDone(application, image, digest, ScanDone.Verdict.PASSED);
  }

  /** Sends scan.done with {@code verdict} for {@code digest} of {@code application}. */
  public static void scanDone(
      String application, String image, String digest, ScanDone.Verdict verdict) {
    KafkaTestClient.send(
        Topics.SCAN_DONE,
        SampleEvents.forApplication(
            EventType.SCAN_DONE,
            application,
            new ScanDone(
                verdict,
                Map.of(),
                List.of(),
                new ScanPolicy(Severity.HIGH, true),
                "test-db",
                digest,
                "scan-" + digest.substring(digest.length() - 8),
                image,
                List.of(),
                List.of(),
                null,
                verdict == ScanDone.Verdict.PASSED ? "no finding at or above HIGH" : "a finding")));
  }

  /**
   * A two-step canary (50%, 100%) of application {@code app} in environment {@code environment} of
   * cluster "local": a first release (v1) rolled out, then v2 requested; returns v2's rollout id
   * once its first canary step is ready (the rollout is mid-canary, its step stored).
   */
  public static String canaryAtItsFirstStep(String app, String environment, Duration timeout) {
    EnvironmentSpec stage =
        Deploys.canary(
            environment,
            "local",
            List.of(50, 100),
            Deploys.settings(2, 30, null, new Analysis(null, null, null, 0, 2, 1, 0)));
    RunContext run = Deploys.run(stage);
    awaitFinished(
        request(Deploys.scanPassed(app, environment, Deploys.digest("v1"), run)), timeout);
    String id = request(Deploys.scanPassed(app, environment, Deploys.digest("v2"), run));
    await()
        .atMost(timeout)
        .untilAsserted(
            () ->
                assertThat(log(id))
                    .anyMatch(line -> line.startsWith("canary step 1/2 (50%): canary ready")));
    return id;
  }

  /** Waits until rollout {@code id} finished and returns it as the API shows it. */
  public static JsonPath awaitFinished(String id, Duration timeout) {
    JsonPath[] finished = new JsonPath[1];
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              JsonPath rollout = get(id);
              assertThat(rollout).as("rollout %s", id).isNotNull();
              assertThat(rollout.getString("rollout.status"))
                  .isIn("SUCCEEDED", "FAILED", "ROLLED_BACK");
              finished[0] = rollout;
            });
    return finished[0];
  }

  /** Rollout {@code id} with its log, or null while it is not recorded yet. */
  public static JsonPath get(String id) {
    var response =
        given()
            .auth()
            .oauth2(TestTokens.token("vera", "viewer"))
            .get("/api/rollouts/" + id)
            .then()
            .extract();
    return response.statusCode() == 200 ? response.jsonPath() : null;
  }

  /** The log messages of rollout {@code id}. */
  public static List<String> log(String id) {
    JsonPath rollout = get(id);
    return rollout == null ? List.of() : rollout.getList("log.message", String.class);
  }

  /** The deploy.done of rollout {@code id}, read from Kafka (its id derives from the rollout). */
  public static Envelope<DeployDone> deployDone(String id) {
    String eventId = Envelope.derivedId("deploy.done", id);
    List<ConsumerRecord<String, byte[]>> found = deployDones(eventId, Duration.ofSeconds(20), 1);
    assertThat(found).as("deploy.done %s of rollout %s", eventId, id).isNotEmpty();
    return envelope(found.get(0));
  }

  /**
   * The deploy.done records with event id {@code eventId}, once at least {@code atLeast} are on the
   * topic (or {@code timeout} passed).
   */
  public static List<ConsumerRecord<String, byte[]>> deployDones(
      String eventId, Duration timeout, int atLeast) {
    List<List<ConsumerRecord<String, byte[]>>> matching =
        new java.util.ArrayList<>(List.of(List.of()));
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              matching.set(
                  0,
                  KafkaTestClient.readAll(Topics.DEPLOY_DONE).stream()
                      .filter(record -> eventId.equals(KafkaTestClient.header(record, "ce_id")))
                      .toList());
              return matching.get(0).size() >= atLeast;
            });
    return matching.get(0);
  }

  /** The records keyed {@code application} on {@code topic} now. */
  public static List<ConsumerRecord<String, byte[]>> records(String topic, String application) {
    return KafkaTestClient.readAll(topic).stream()
        .filter(record -> application.equals(record.key()))
        .toList();
  }

  /** A deploy.done record as an envelope. */
  public static Envelope<DeployDone> envelope(ConsumerRecord<String, byte[]> record) {
    DeployDone done = EventJson.readPayload(record.value(), DeployDone.class);
    return new Envelope<>(
        KafkaTestClient.header(record, "ce_id"),
        KafkaTestClient.header(record, "ce_source"),
        KafkaTestClient.header(record, "ce_type"),
        java.time.OffsetDateTime.parse(KafkaTestClient.header(record, "ce_time")),
        record.key(),
        KafkaTestClient.header(record, "ce_runid"),
        KafkaTestClient.header(record, "ce_causationid"),
        KafkaTestClient.header(record, "ce_commitsha"),
        done);
  }
}

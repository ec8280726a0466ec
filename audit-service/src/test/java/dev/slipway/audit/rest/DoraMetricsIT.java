package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployDone.Status;
import dev.slipway.events.DeployRequested.Reason;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DORA figures of a fixed set of events sent through Kafka, computed by hand (README definitions).
 * Window: March 1 to March 11, 2026 (10 days), environment prod, ref main. Every event time has 30
 * seconds, left out below; they cancel out in every duration.
 *
 * <pre>
 * pushes            c0 02-19 08:00   c1 03-01 08:00   c2 03-02 09:00   c3 03-04 10:00
 *                   c4 03-06 12:00
 * prod rollouts     D0 c0 02-20 10:00 SUCCEEDED     before the window: c0 already delivered
 *                   D1 c1 03-01 10:00 SUCCEEDED     lead c1 2 h
 *                   D2 c2 03-02 12:00 ROLLED_BACK   served 5 min, rolled back: failed, restored
 *                                                   after 300 s
 *                   D3 c2 03-02 13:00 FAILED        never served traffic: ignored
 *                   D4 c3 03-04 12:00 SUCCEEDED     delivers c2 (51 h) and c3 (2 h)
 *                   D5 c4 03-06 18:00 SUCCEEDED     lead c4 6 h (published twice)
 *                   R1    03-07 00:00 SUCCEEDED     reason ROLLBACK: D5 failed, restored after 6 h
 *                   D7 c4 03-08 06:00 SUCCEEDED     manual redeploy of c4: delivers nothing
 *                   R2    03-10 00:00 FAILED        reason ROLLBACK: D7 failed, not restored
 * noise             a staging rollout of the application; a prod rollout of another application
 *
 * deployment frequency  D1 D4 D5 D7 = 4 / 10 days = 0.4 per day
 * change failure rate   D1 D2 D4 D5 D7 = 5 deployments, failed D2 D5 D7 = 3, rate 0.6
 * lead time             [7200, 7200, 21600, 183600] s: median 7200 + 0.5 * 14400 = 14400,
 *                       p90 21600 + 0.7 * 162000 = 135000
 * time to restore       [300, 21600] s: median 10950, p90 300 + 0.9 * 21300 = 19470; 1 open
 * </pre>
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class DoraMetricsIT {

  private static final String PROD = "prod";
  private static final Offset<Double> EXACT = Offset.offset(1e-6);

  private final String viewer = TestTokens.token("vera", "viewer");

  private String application;

  @BeforeEach
  void publishTheFixedEventSet() {
    application = "dora-" + UUID.randomUUID().toString().substring(0, 8);
    commit("c0", "2026-02-19T08:00:30Z");
    commit("c1", "2026-03-01T08:00:30Z");
    commit("c2", "2026-03-02T09:00:30Z");
    commit("c3", "2026-03-04T10:00:30Z");
    commit("c4", "2026-03-06T12:00:30Z");
    deploy(
        application,
        PROD,
        "c0",
        "2026-02-20T10:00:30Z",
        Status.SUCCEEDED,
        Reason.SCAN_PASSED,
        null);
    deploy(
        application,
        PROD,
        "c1",
        "2026-03-01T10:00:30Z",
        Status.SUCCEEDED,
        Reason.SCAN_PASSED,
        null);
    deploy(
        application,
        PROD,
        "c2",
        "2026-03-02T12:00:30Z",
        Status.ROLLED_BACK,
        Reason.PROMOTION,
        300_000L);
    deploy(application, PROD, "c2", "2026-03-02T13:00:30Z", Status.FAILED, Reason.MANUAL, null);
    deploy(
        application, PROD, "c3", "2026-03-04T12:00:30Z", Status.SUCCEEDED, Reason.APPROVAL, null);
    Envelope<DeployDone> d5 =
        deploy(
            application,
            PROD,
            "c4",
            "2026-03-06T18:00:30Z",
            Status.SUCCEEDED,
            Reason.APPROVAL,
            null);
    KafkaTestClient.send(Topics.DEPLOY_DONE, d5);
    deploy(
        application, PROD, "c3", "2026-03-07T00:00:30Z", Status.SUCCEEDED, Reason.ROLLBACK, null);
    deploy(application, PROD, "c4", "2026-03-08T06:00:30Z", Status.SUCCEEDED, Reason.MANUAL, null);
    deploy(application, PROD, "c4", "2026-03-10T00:00:30Z", Status.FAILED, Reason.ROLLBACK, null);
    deploy(
        application,
        "staging",
        "c4",
        "2026-03-05T00:00:30Z",
        Status.ROLLED_BACK,
        Reason.PROMOTION,
        1000L);
    deploy(
        application + "-other",
        PROD,
        "c9",
        "2026-03-05T00:00:30Z",
        Status.ROLLED_BACK,
        Reason.PROMOTION,
        1000L);
    // 5 commits + 9 prod rollouts + 1 staging rollout of this application, each stored once.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(viewer)
                    .queryParam("application", application)
                    .get("/api/audit/events")
                    .then()
                    .body("items", hasSize(15)));
  }

  @Test
  void figuresEqualTheHandComputedOnes() {
    JsonPath dora =
        given()
            .auth()
            .oauth2(viewer)
            .queryParam("application", application)
            .queryParam("environment", PROD)
            .queryParam("from", "2026-03-01T00:00:00Z")
            .queryParam("to", "2026-03-11T00:00:00Z")
            .get("/api/audit/dora")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();

    assertThat(dora.getInt("deploymentFrequency.deployments")).isEqualTo(4);
    assertThat(dora.getDouble("deploymentFrequency.perDay")).isCloseTo(0.4, EXACT);
    assertThat(dora.getInt("changeFailureRate.deployments")).isEqualTo(5);
    assertThat(dora.getInt("changeFailureRate.failed")).isEqualTo(3);
    assertThat(dora.getDouble("changeFailureRate.rate")).isCloseTo(0.6, EXACT);
    assertThat(dora.getInt("leadTimeForChanges.changes")).isEqualTo(4);
    assertThat(dora.getDouble("leadTimeForChanges.medianSeconds")).isCloseTo(14400, EXACT);
    assertThat(dora.getDouble("leadTimeForChanges.p90Seconds")).isCloseTo(135000, EXACT);
    assertThat(dora.getInt("timeToRestore.restored")).isEqualTo(2);
    assertThat(dora.getInt("timeToRestore.open")).isEqualTo(1);
    assertThat(dora.getDouble("timeToRestore.medianSeconds")).isCloseTo(10950, EXACT);
    assertThat(dora.getDouble("timeToRestore.p90Seconds")).isCloseTo(19470, EXACT);
  }

  private void commit(String sha, String time) {
    CommitReceived sample = SampleEvents.commitReceived();
    CommitReceived payload =
        new CommitReceived(
            sample.provider(),
            UUID.randomUUID().toString(),
            sample.repoUrl(),
            sample.ref(),
            sha,
            sample.author(),
            sample.message(),
            sample.actor(),
            sample.pipeline());
    KafkaTestClient.send(
        Topics.COMMIT_RECEIVED,
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/trigger-service",
            EventType.COMMIT_RECEIVED.ceType(),
            OffsetDateTime.parse(time),
            application,
            "run-" + application + "-" + sha,
            null,
            sha,
            payload));
  }

  private Envelope<DeployDone> deploy(
      String app,
      String environment,
      String sha,
      String time,
      Status status,
      Reason reason,
      Long durationMs) {
    Envelope<DeployDone> event =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/deploy-service",
            EventType.DEPLOY_DONE.ceType(),
            OffsetDateTime.parse(time),
            app,
            "run-" + application + "-" + sha,
            "request-" + UUID.randomUUID(),
            sha,
            new DeployDone(
                environment,
                "local",
                app + "-" + environment,
                status,
                1,
                "test",
                "localhost:5000/acme/" + app,
                SampleEvents.DIGEST,
                SampleEvents.DIGEST,
                Strategy.ROLLING,
                reason,
                durationMs));
    KafkaTestClient.send(Topics.DEPLOY_DONE, event);
    return event;
  }
}

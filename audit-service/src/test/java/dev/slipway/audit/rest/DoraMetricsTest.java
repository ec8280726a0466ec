package dev.slipway.audit.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
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
 * DORA figures of a fixed set of events, computed by hand (README definitions). Window: March 1 to
 * March 11, 2026 (10 days), environment prod. Every event time has 30 seconds, left out below; they
 * cancel out in every duration.
 *
 * <pre>
 * commits received  c1 03-01 08:00   c2 03-02 09:00   c3 03-04 10:00   c4 03-06 12:00
 * prod deploys      D0 c0 02-20 10:00 SUCCEEDED   before the window: ignored
 *                   D1 c1 03-01 10:00 SUCCEEDED   lead time c1 = 2 h
 *                   D2 c2 03-02 12:00 FAILED      } one deploy (same request): failed once
 *                      c2 03-02 12:05 ROLLED_BACK }  incident opens 03-02 12:00
 *                   D3 c2 03-02 13:00 FAILED      still the same incident
 *                   D4 c3 03-04 12:00 SUCCEEDED   restores after 48 h; lead time c3 = 2 h
 *                   D5 c4 03-06 18:00 SUCCEEDED   lead time c4 = 6 h (published twice)
 *                   D6 c4 03-08 00:00 FAILED      incident opens
 *                   D7 c4 03-08 06:00 SUCCEEDED   restores after 6 h; c4 already counted
 *                   D8 c4 03-10 00:00 FAILED      open incident
 * noise             staging deploy of the same application; prod deploy of another application
 *
 * deployment frequency  4 successful deploys / 10 days = 0.4 per day
 * change failure rate   deploys D1..D8 = 8, failed D2, D3, D6, D8 = 4, rate 0.5
 * lead time             [7200, 7200, 21600] s: median 7200, p90 7200 + 0.8 * 14400 = 18720
 * time to restore       [21600, 172800] s: median 97200, p90 21600 + 0.9 * 151200 = 157680;
 *                       1 open
 * </pre>
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class DoraMetricsTest {

  private static final String PROD = "prod";
  private static final Offset<Double> EXACT = Offset.offset(1e-6);

  private final String viewer = TestTokens.token("vera", "viewer");

  private String application;

  @BeforeEach
  void publishTheFixedEventSet() {
    application = "dora-" + UUID.randomUUID().toString().substring(0, 8);
    commit("c1", "2026-03-01T08:00:30Z");
    commit("c2", "2026-03-02T09:00:30Z");
    commit("c3", "2026-03-04T10:00:30Z");
    commit("c4", "2026-03-06T12:00:30Z");
    deploy(application, PROD, "c0", "D0", "2026-02-20T10:00:30Z", DeployDone.Status.SUCCEEDED);
    deploy(application, PROD, "c1", "D1", "2026-03-01T10:00:30Z", DeployDone.Status.SUCCEEDED);
    deploy(application, PROD, "c2", "D2", "2026-03-02T12:00:30Z", DeployDone.Status.FAILED);
    deploy(application, PROD, "c2", "D2", "2026-03-02T12:05:30Z", DeployDone.Status.ROLLED_BACK);
    deploy(application, PROD, "c2", "D3", "2026-03-02T13:00:30Z", DeployDone.Status.FAILED);
    deploy(application, PROD, "c3", "D4", "2026-03-04T12:00:30Z", DeployDone.Status.SUCCEEDED);
    Envelope<DeployDone> d5 =
        deploy(application, PROD, "c4", "D5", "2026-03-06T18:00:30Z", DeployDone.Status.SUCCEEDED);
    KafkaTestClient.send(Topics.DEPLOY_DONE, d5);
    deploy(application, PROD, "c4", "D6", "2026-03-08T00:00:30Z", DeployDone.Status.FAILED);
    deploy(application, PROD, "c4", "D7", "2026-03-08T06:00:30Z", DeployDone.Status.SUCCEEDED);
    deploy(application, PROD, "c4", "D8", "2026-03-10T00:00:30Z", DeployDone.Status.FAILED);
    deploy(application, "staging", "c4", "S1", "2026-03-05T00:00:30Z", DeployDone.Status.FAILED);
    deploy(
        application + "-other", PROD, "c9", "O1", "2026-03-05T00:00:30Z", DeployDone.Status.FAILED);
    // 4 commits + 10 prod deploy.done + 1 staging of this application, each stored once.
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
    assertThat(dora.getInt("changeFailureRate.deployments")).isEqualTo(8);
    assertThat(dora.getInt("changeFailureRate.failed")).isEqualTo(4);
    assertThat(dora.getDouble("changeFailureRate.rate")).isCloseTo(0.5, EXACT);
    assertThat(dora.getInt("leadTimeForChanges.changes")).isEqualTo(3);
    assertThat(dora.getDouble("leadTimeForChanges.medianSeconds")).isCloseTo(7200, EXACT);
    assertThat(dora.getDouble("leadTimeForChanges.p90Seconds")).isCloseTo(18720, EXACT);
    assertThat(dora.getInt("timeToRestore.restored")).isEqualTo(2);
    assertThat(dora.getInt("timeToRestore.open")).isEqualTo(1);
    assertThat(dora.getDouble("timeToRestore.medianSeconds")).isCloseTo(97200, EXACT);
    assertThat(dora.getDouble("timeToRestore.p90Seconds")).isCloseTo(157680, EXACT);
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
      String request,
      String time,
      DeployDone.Status status) {
    Envelope<DeployDone> event =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/deploy-service",
            EventType.DEPLOY_DONE.ceType(),
            OffsetDateTime.parse(time),
            app,
            "run-" + application + "-" + sha,
            "request-" + application + "-" + request,
            sha,
            new DeployDone(environment, "local", app + "-" + environment, status, 1, "test"));
    KafkaTestClient.send(Topics.DEPLOY_DONE, event);
    return event;
  }
}

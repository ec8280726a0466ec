package dev.slipway.deploy.client;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class ClusterRegistryIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;

  @Test
  void clustersAreListedWithTheirAddressReachabilityAndVersion() {
    String body =
        given()
            .auth()
            .oauth2(TestTokens.token("vera", "viewer"))
            .get("/api/clusters")
            .then()
            .statusCode(200)
            .body("items.name", org.hamcrest.Matchers.contains("local", "offline", "remote"))
            .body("next", equalTo(null))
            .body("items.find { it.name == 'local' }.reachable", equalTo(true))
            .body("items.find { it.name == 'local' }.source", equalTo("kubeconfig"))
            .body("items.find { it.name == 'local' }.apiUrl", equalTo(sandbox.local().url()))
            .body(
                "items.find { it.name == 'local' }.serverVersion",
                equalTo("v1.31.0-slipway-sandbox"))
            .body("items.find { it.name == 'remote' }.reachable", equalTo(true))
            .body("items.find { it.name == 'remote' }.source", equalTo("token-secret"))
            .body("items.find { it.name == 'remote' }.apiUrl", equalTo(sandbox.remote().url()))
            .body("items.find { it.name == 'offline' }.reachable", equalTo(false))
            .body("items.find { it.name == 'offline' }.error", not(equalTo(null)))
            .extract()
            .asString();
    assertThat(body)
        .doesNotContain(sandbox.remoteToken())
        .doesNotContain("sandbox-accepts-any-token");
  }

  @Test
  void credentialsAppearInNoAnswerEventOrLogLine() throws Exception {
    String app = Deploys.application();
    EnvironmentSpec remote =
        Deploys.rolling("qa", "remote", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    EnvironmentSpec offline =
        Deploys.rolling("dr", "offline", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    String onRemote =
        Rollouts.request(Deploys.scanPassed(app, "qa", Deploys.digest("v1"), Deploys.run(remote)));
    String onOffline =
        Rollouts.request(Deploys.scanPassed(app, "dr", Deploys.digest("v1"), Deploys.run(offline)));
    Rollouts.awaitFinished(onRemote, ROLLOUT);
    Rollouts.awaitFinished(onOffline, ROLLOUT);
    Rollouts.deployDone(onRemote);
    Rollouts.deployDone(onOffline);

    String token = sandbox.remoteToken();
    assertThat(sandbox.remote().authorizations()).contains("Bearer " + token);
    assertThat(Files.readString(DeploySandboxResource.LOG_FILE)).doesNotContain(token);
    assertThat(Rollouts.records(Topics.DEPLOY_DONE, app))
        .isNotEmpty()
        .allSatisfy(
            record ->
                assertThat(new String(record.value(), StandardCharsets.UTF_8))
                    .doesNotContain(token));
    String answers =
        given()
                .auth()
                .oauth2(TestTokens.token("vera", "viewer"))
                .get("/api/rollouts/" + onRemote)
                .asString()
            + given()
                .auth()
                .oauth2(TestTokens.token("vera", "viewer"))
                .get("/api/rollouts/" + onOffline)
                .asString()
            + given()
                .auth()
                .oauth2(TestTokens.token("vera", "viewer"))
                .get("/api/clusters")
                .asString();
    assertThat(answers).doesNotContain(token);
  }

  @Test
  void environmentOnAnUnknownClusterFailsWithThatReason() {
    String app = Deploys.application();
    EnvironmentSpec mars =
        Deploys.rolling("mars", "mars-1", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));

    String id =
        Rollouts.request(Deploys.scanPassed(app, "mars", Deploys.digest("v1"), Deploys.run(mars)));

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("FAILED");
    Envelope<DeployDone> done = Rollouts.deployDone(id);
    assertThat(done.data().reason())
        .isEqualTo(
            "environment mars names cluster 'mars-1', which is not registered in deploy-service"
                + " (registered: local, offline, remote); nothing was applied");
    assertThat(done.data().cluster()).isEqualTo("mars-1");
    assertThat(done.data().namespace()).isEqualTo("mars-ns");
  }

  @Test
  void unreachableClusterFailsTheRolloutAfterBoundedRetries() {
    String app = Deploys.application();
    EnvironmentSpec dr =
        Deploys.rolling("dr", "offline", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    long started = System.nanoTime();

    String id =
        Rollouts.request(Deploys.scanPassed(app, "dr", Deploys.digest("v1"), Deploys.run(dr)));

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("FAILED");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(ROLLOUT);
    Envelope<DeployDone> done = Rollouts.deployDone(id);
    assertThat(done.data().reason())
        .contains("cluster offline")
        .contains("gave up after 3 attempts")
        .contains("nothing was applied");
    assertThat(Rollouts.log(id))
        .anyMatch(line -> line.contains("cluster unreachable (attempt 1 of 3)"));
  }
}

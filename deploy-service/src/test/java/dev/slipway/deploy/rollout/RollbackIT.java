package dev.slipway.deploy.rollout;

import static dev.slipway.deploy.support.Deploys.pinned;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeployDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.RunContext;
import dev.slipway.sandbox.Behaviour;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class RollbackIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;

  @Test
  void crashLoopingRollingUpdateIsRolledBackToThePreviousDigest() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    String v2 = Deploys.digest("v2");
    sandbox.localPolicy().forDigest(v2, Behaviour.CRASH_LOOP);
    RunContext run = Deploys.run(dev(2, 30));
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "dev", v1, run)), ROLLOUT);

    String second = Rollouts.request(Deploys.scanPassed(app, "dev", v2, run));

    JsonPath rollout = Rollouts.awaitFinished(second, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("ROLLED_BACK");
    Envelope<DeployDone> done = Rollouts.deployDone(second);
    assertThat(done.data().status()).isEqualTo(DeployDone.Status.ROLLED_BACK);
    assertThat(done.data().reason())
        .startsWith("rolling update: pod " + app + "-")
        .contains("is in CrashLoopBackOff")
        .contains("last event: BackOff: Back-off restarting failed container app")
        .contains("rolled back to revision 1 (" + v1 + "), which serves again");
    assertThat(done.data().revision()).isEqualTo(1);
    assertThat(done.data().servingDigest()).isEqualTo(v1);
    assertThat(image(stable("dev-ns", app))).isEqualTo(pinned(app, v1));
    assertThat(sandbox.local().writes("dev-ns", app))
        .extracting(w -> w.image())
        .containsExactly(pinned(app, v1), pinned(app, v2), pinned(app, v1));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        sandbox
                            .local()
                            .client()
                            .pods()
                            .inNamespace("dev-ns")
                            .withLabel("app.kubernetes.io/name", app)
                            .list()
                            .getItems())
                    .hasSize(2)
                    .allSatisfy(
                        pod ->
                            assertThat(pod.getSpec().getContainers().get(0).getImage())
                                .isEqualTo(pinned(app, v1))));
  }

  @Test
  void rolloutThatNeverBecomesReadyFailsAtItsDeadlineAndIsRolledBack() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    String v2 = Deploys.digest("v2");
    sandbox.localPolicy().forDigest(v2, Behaviour.NEVER_READY);
    RunContext run = Deploys.run(dev(1, 2));
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "dev", v1, run)), ROLLOUT);

    String second = Rollouts.request(Deploys.scanPassed(app, "dev", v2, run));

    Envelope<DeployDone> done =
        Rollouts.deployDone(Rollouts.awaitFinished(second, ROLLOUT).getString("rollout.id"));
    assertThat(done.data().status()).isEqualTo(DeployDone.Status.ROLLED_BACK);
    assertThat(done.data().reason())
        .containsAnyOf("ProgressDeadlineExceeded", "did not complete within 2s")
        .contains("rolled back to revision 1");
    assertThat(image(stable("dev-ns", app))).isEqualTo(pinned(app, v1));
  }

  @Test
  void firstRolloutThatFailsLeavesNothingRunningAndSaysSo() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    sandbox.localPolicy().forDigest(v1, Behaviour.IMAGE_PULL_ERROR);

    String id = Rollouts.request(Deploys.scanPassed(app, "dev", v1, Deploys.run(dev(2, 30))));

    assertThat(Rollouts.awaitFinished(id, ROLLOUT).getString("rollout.status")).isEqualTo("FAILED");
    Envelope<DeployDone> done = Rollouts.deployDone(id);
    assertThat(done.data().status()).isEqualTo(DeployDone.Status.FAILED);
    assertThat(done.data().reason())
        .containsAnyOf("ImagePullBackOff", "ErrImagePull")
        .contains("Failed to pull image \"" + pinned(app, v1) + "\"")
        .contains("no earlier successful release of " + app + " in dev to restore")
        .contains("removed Deployment " + app)
        .contains("nothing of " + app + " is left running in namespace dev-ns");
    assertThat(done.data().revision()).isZero();
    assertThat(done.data().servingDigest()).isNull();
    assertThat(stable("dev-ns", app)).isNull();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        sandbox
                            .local()
                            .client()
                            .pods()
                            .inNamespace("dev-ns")
                            .withLabel("app.kubernetes.io/name", app)
                            .list()
                            .getItems())
                    .isEmpty());
  }

  @Test
  void manualRollbackRestoresAnEarlierRevisionThroughTheRolloutPath() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    String v2 = Deploys.digest("v2");
    RunContext run = Deploys.run(dev(1, 30));
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "dev", v1, run)), ROLLOUT);
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "dev", v2, run)), ROLLOUT);

    String requestId =
        given()
            .auth()
            .oauth2(TestTokens.token("dora", "deployer"))
            .contentType(ContentType.JSON)
            .body("{\"revision\":1}")
            .post("/api/apps/" + app + "/environments/dev/rollback")
            .then()
            .statusCode(202)
            .body("revision", equalTo(1))
            .body("imageDigest", equalTo(v1))
            .extract()
            .path("requestId");

    JsonPath rollout = Rollouts.awaitFinished(requestId, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(rollout.getString("rollout.reason")).isEqualTo("ROLLBACK");
    assertThat(rollout.getString("rollout.requestedBy")).isEqualTo("dora");
    assertThat(image(stable("dev-ns", app))).isEqualTo(pinned(app, v1));
    Envelope<DeployDone> done = Rollouts.deployDone(requestId);
    assertThat(done.data().revision()).isEqualTo(3);
    assertThat(done.data().reason()).startsWith("restored revision 1 as revision 3");
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/apps/" + app + "/environments/dev/releases")
        .then()
        .statusCode(200)
        .body("items.revision", org.hamcrest.Matchers.contains(3, 2, 1))
        .body("items[0].imageDigest", equalTo(v1))
        .body("items[0].requestReason", equalTo("ROLLBACK"))
        .body("items[0].requestedBy", equalTo("dora"));
  }

  @Test
  void rollbackRequestsThatCannotBeHonouredAreProblems() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    String v2 = Deploys.digest("v2");
    sandbox.localPolicy().forDigest(v2, Behaviour.IMAGE_PULL_ERROR);
    RunContext run = Deploys.run(dev(1, 30));
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "dev", v1, run)), ROLLOUT);
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "dev", v2, run)), ROLLOUT);
    String path = "/api/apps/" + app + "/environments/dev/rollback";

    rollback(path, "deployer", "{}")
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("revision"));
    rollback(path, "deployer", "{\"revision\":\"one\"}")
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("revision"));
    rollback(path, "deployer", "{\"revision\":7}")
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("revision 7 of " + app + " in dev does not exist"));
    rollback(path, "deployer", "{\"revision\":2}")
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("revision 2 did not succeed (ROLLED_BACK)"));
    rollback("/api/apps/nobody/environments/dev/rollback", "deployer", "{\"revision\":1}")
        .statusCode(404)
        .contentType("application/problem+json");
    rollback(path, "viewer", "{\"revision\":1}")
        .statusCode(403)
        .contentType("application/problem+json");
  }

  private static io.restassured.response.ValidatableResponse rollback(
      String path, String role, String body) {
    return given()
        .auth()
        .oauth2(TestTokens.token("dora", role))
        .contentType(ContentType.JSON)
        .body(body)
        .post(path)
        .then();
  }

  private static EnvironmentSpec dev(int replicas, int timeoutSeconds) {
    return Deploys.rolling(
        "dev", "local", Promotion.AUTO, 0, Deploys.settings(replicas, timeoutSeconds, null, null));
  }

  private Deployment stable(String namespace, String app) {
    return sandbox.local().client().apps().deployments().inNamespace(namespace).withName(app).get();
  }

  private static String image(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}

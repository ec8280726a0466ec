package dev.slipway.deploy.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.DeploymentSettings.Analysis.Comparison;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import dev.slipway.sandbox.Behaviour;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.fabric8.kubernetes.api.model.Pod;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A canary under the operator's hand and without capacity loss: the stable Deployment scales down
 * only once the canary is ready; pause, resume, promote and abort; a Prometheus that errors makes
 * the analysis inconclusive, not failed.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class CanaryControlIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;

  @Test
  void capacityNeverDropsBelowTheStableCount() throws InterruptedException {
    String app = Deploys.application();
    RunContext run =
        Deploys.run(
            canary("cap", List.of(25, 50, 100), new Analysis(null, null, null, 0, 1, 0, 0)));
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "cap", Deploys.digest("v1"), run)), ROLLOUT);
    // The new version takes a while to become ready: a plan that scaled stable down first would
    // show.
    String v2 = Deploys.digest("v2");
    AtomicInteger lowest = new AtomicInteger(Integer.MAX_VALUE);
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                lowest.accumulateAndGet(readyPods(app, "cap-ns"), Math::min);
              }
            });
    watcher.start();

    String id = Rollouts.request(Deploys.scanPassed(app, "cap", v2, run));
    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    watching.set(false);
    watcher.join();

    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(lowest.get()).as("ready pods at any moment").isGreaterThanOrEqualTo(4);
    assertThat(Rollouts.log(id))
        .anyMatch(
            line -> line.contains("canary ready") && line.contains("stable scaled to 3 pods"));
  }

  @Test
  void aPausedCanaryWaitsThenIsPromotedByTheOperator() {
    String app = Deploys.application();
    RunContext run =
        Deploys.run(
            canary("pp", List.of(20, 50, 100), new Analysis(null, null, null, 0, 30, 1, 0)));
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "pp", Deploys.digest("v1"), run)), ROLLOUT);
    String id = Rollouts.request(Deploys.scanPassed(app, "pp", Deploys.digest("v2"), run));
    await()
        .atMost(ROLLOUT)
        .until(() -> Rollouts.log(id).stream().anyMatch(l -> l.contains("canary ready")));

    command(id, "pause", "viewer").then().statusCode(403);
    command(id, "pause", "deployer").then().statusCode(202);
    await()
        .atMost(ROLLOUT)
        .until(() -> Rollouts.log(id).stream().anyMatch(l -> l.startsWith("paused by dora")));
    command(id, "pause", "deployer").then().statusCode(409);
    command(id, "resume", "deployer").then().statusCode(202);
    await()
        .atMost(ROLLOUT)
        .until(() -> Rollouts.log(id).stream().anyMatch(l -> l.startsWith("resumed by dora")));
    command(id, "promote", "deployer").then().statusCode(202);

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(Rollouts.log(id))
        .anyMatch(l -> l.startsWith("promoted by dora at canary step 1 of 3"));
    command(id, "abort", "deployer").then().statusCode(409);
    command("no-such-rollout", "abort", "deployer").then().statusCode(404);
  }

  @Test
  void anAbortedCanaryRollsBackWithTheStableRestoredFirst() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    RunContext run =
        Deploys.run(canary("ab", List.of(50, 100), new Analysis(null, null, null, 0, 30, 1, 0)));
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "ab", v1, run)), ROLLOUT);
    String id = Rollouts.request(Deploys.scanPassed(app, "ab", Deploys.digest("v2"), run));
    await()
        .atMost(ROLLOUT)
        .until(() -> Rollouts.log(id).stream().anyMatch(l -> l.contains("canary ready")));

    command(id, "abort", "deployer").then().statusCode(202);

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("ROLLED_BACK");
    assertThat(Rollouts.deployDone(id).data().reason())
        .startsWith("aborted by dora")
        .contains("rolled back to revision 1 (" + v1 + ")");
    assertThat(
            sandbox
                .local()
                .client()
                .apps()
                .deployments()
                .inNamespace("ab-ns")
                .withName(app + "-canary")
                .get())
        .isNull();
  }

  @Test
  void aPrometheusErrorIsInconclusiveNotAFailure() {
    String app = Deploys.application();
    String query = "sum(rate(errors{app=\"" + app + "\"}[1m]))";
    sandbox.prometheus().answer(query, 0.01);
    sandbox.prometheus().failNext(query, 2);
    RunContext run =
        Deploys.run(
            canary(
                "pe", List.of(50, 100), new Analysis(query, 0.05, Comparison.BELOW, 0, 2, 1, 0)));
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "pe", Deploys.digest("v1"), run)), ROLLOUT);

    String id = Rollouts.request(Deploys.scanPassed(app, "pe", Deploys.digest("v2"), run));

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(Rollouts.log(id))
        .anyMatch(l -> l.contains("analysis query could not be evaluated (1 in a row, limit 4)"))
        .anyMatch(l -> l.contains("not counted as a failure"));
  }

  @Test
  void aCanaryWhosePodsCannotBeCreatedFailsFastWithTheReason() {
    String app = Deploys.application();
    String v2 = Deploys.digest("v2");
    sandbox.localPolicy().forDigest(v2, Behaviour.FAILED_CREATE);
    RunContext run =
        Deploys.run(canary("fc", List.of(50, 100), new Analysis(null, null, null, 0, 1, 0, 0)));
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "fc", Deploys.digest("v1"), run)), ROLLOUT);

    String id = Rollouts.request(Deploys.scanPassed(app, "fc", v2, run));

    JsonPath rollout = Rollouts.awaitFinished(id, Duration.ofSeconds(20));
    assertThat(rollout.getString("rollout.status")).isEqualTo("ROLLED_BACK");
    assertThat(Rollouts.deployDone(id).data().reason())
        .contains("ReplicaFailure (FailedCreate)")
        .contains("exceeded quota");
  }

  private static EnvironmentSpec canary(String name, List<Integer> steps, Analysis analysis) {
    return Deploys.canary(name, "local", steps, Deploys.settings(4, 30, null, analysis));
  }

  private int readyPods(String app, String namespace) {
    List<Pod> pods =
        sandbox
            .local()
            .client()
            .pods()
            .inNamespace(namespace)
            .withLabel("app.kubernetes.io/name", app)
            .list()
            .getItems();
    return (int)
        pods.stream()
            .filter(
                pod ->
                    pod.getStatus() != null
                        && pod.getStatus().getConditions().stream()
                            .anyMatch(
                                c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
            .count();
  }

  private static io.restassured.response.Response command(String id, String command, String role) {
    return given()
        .auth()
        .oauth2(TestTokens.token("dora", role))
        .post("/api/rollouts/" + id + "/" + command);
  }
}

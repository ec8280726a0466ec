package dev.slipway.deploy.rollout;

import static dev.slipway.deploy.support.Deploys.pinned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.DeploymentSettings.Analysis.Comparison;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import dev.slipway.sandbox.SandboxServer.DeploymentWrite;
import dev.slipway.testsupport.SlipwayTestResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class CanaryRolloutIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;

  @Test
  void canaryStepsShowInReplicaCountsThenTheCanaryIsPromoted() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    String v2 = Deploys.digest("v2");
    // Four replicas, traffic by replica ratio: one analysis sample a second per step.
    EnvironmentSpec stage =
        Deploys.canary(
            "stage",
            "local",
            List.of(25, 50, 100),
            Deploys.settings(4, 30, null, new Analysis(null, null, null, 0, 1, 1, 0)));
    RunContext run = Deploys.run(stage);
    String first = Rollouts.request(Deploys.scanPassed(app, "stage", v1, run));
    assertThat(Rollouts.awaitFinished(first, ROLLOUT).getString("rollout.status"))
        .isEqualTo("SUCCEEDED");
    assertThat(Rollouts.log(first)).anyMatch(line -> line.contains("first release"));

    String second = Rollouts.request(Deploys.scanPassed(app, "stage", v2, run));

    JsonPath rollout = Rollouts.awaitFinished(second, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    // Hand-computed for 4 replicas (CanaryPlanTest): 25% -> 1 canary + 3 stable,
    // 50% -> 2 + 2, 100% -> 4 + 0; then the stable Deployment takes v2 with 4 and the canary goes.
    assertThat(replicasAndImages(app + "-canary", "stage-ns"))
        .containsExactly(
            pinned(app, v2) + " x1", pinned(app, v2) + " x2", pinned(app, v2) + " x4", "deleted");
    assertThat(replicasAndImages(app, "stage-ns"))
        .containsExactly(
            pinned(app, v1) + " x4",
            pinned(app, v1) + " x3",
            pinned(app, v1) + " x2",
            pinned(app, v1) + " x0",
            pinned(app, v2) + " x4");
    Envelope<DeployDone> done = Rollouts.deployDone(second);
    assertThat(done.data().status()).isEqualTo(DeployDone.Status.SUCCEEDED);
    assertThat(done.data().strategy()).isEqualTo(EnvironmentSpec.Strategy.CANARY);
    assertThat(done.data().revision()).isEqualTo(2);
    assertThat(done.data().reason()).contains("canary passed 3 steps (25%, 50%, 100%)");
    assertThat(Rollouts.log(second))
        .anyMatch(line -> line.startsWith("canary step 1/3 (25%): canary 1 pods, stable 3 pods"))
        .anyMatch(line -> line.startsWith("canary step 3/3 (100%): analysis passed"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        sandbox
                            .local()
                            .client()
                            .pods()
                            .inNamespace("stage-ns")
                            .withLabel("app.kubernetes.io/name", app)
                            .list()
                            .getItems())
                    .hasSize(4)
                    .allSatisfy(
                        pod ->
                            assertThat(pod.getSpec().getContainers().get(0).getImage())
                                .isEqualTo(pinned(app, v2))));
  }

  @Test
  void canaryWithAnHttpRouteMovesTheRouteWeights() {
    String app = Deploys.application();
    String route = app + "-route";
    createRoute("edge-ns", route, app);
    EnvironmentSpec edge =
        Deploys.canary(
            "edge",
            "local",
            List.of(20, 60),
            Deploys.settings(3, 30, route, new Analysis(null, null, null, 0, 1, 1, 0)));
    RunContext run = Deploys.run(edge);
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "edge", Deploys.digest("v1"), run)), ROLLOUT);
    Set<Integer> seen = ConcurrentHashMap.newKeySet();

    String second = Rollouts.request(Deploys.scanPassed(app, "edge", Deploys.digest("v2"), run));

    await()
        .atMost(ROLLOUT)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              seen.addAll(canaryWeights("edge-ns", route, app));
              assertThat(seen).contains(20, 60);
            });
    JsonPath rollout = Rollouts.awaitFinished(second, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(canaryWeights("edge-ns", route, app)).containsExactly(0);
    // With a route the stable Deployment keeps its 3 replicas; the canary gets 20% -> 1, 60% -> 2.
    assertThat(replicasAndImages(app + "-canary", "edge-ns"))
        .extracting(line -> line.substring(line.lastIndexOf(' ') + 1))
        .containsExactly("x1", "x2", "deleted");
    assertThat(sandbox.local().writes("edge-ns", app))
        .extracting(DeploymentWrite::replicas)
        .containsOnly(3);
    assertThat(Rollouts.log(second))
        .anyMatch(line -> line.contains("HTTPRoute " + route + " weights 20/80"))
        .anyMatch(line -> line.contains("HTTPRoute " + route + " weights 60/40"));
  }

  @Test
  void canaryFailingItsPrometheusAnalysisIsRolledBack() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    String v2 = Deploys.digest("v2");
    String query = "sum(rate(http_errors_total{app=\"" + app + "\",track=\"canary\"}[1m]))";
    sandbox.prometheus().answer(query, 0.9);
    EnvironmentSpec prod =
        Deploys.canary(
            "prod",
            "local",
            List.of(25, 50, 100),
            Deploys.settings(
                4,
                30,
                null,
                new Analysis(
                    "sum(rate(http_errors_total{app=\"{{application}}\",track=\"canary\"}[1m]))",
                    0.05,
                    Comparison.BELOW,
                    1,
                    3,
                    1,
                    0)));
    RunContext run = Deploys.run(prod);
    Rollouts.awaitFinished(Rollouts.request(Deploys.scanPassed(app, "prod", v1, run)), ROLLOUT);

    String second = Rollouts.request(Deploys.scanPassed(app, "prod", v2, run));

    JsonPath rollout = Rollouts.awaitFinished(second, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("ROLLED_BACK");
    Envelope<DeployDone> done = Rollouts.deployDone(second);
    assertThat(done.data().status()).isEqualTo(DeployDone.Status.ROLLED_BACK);
    assertThat(done.data().reason())
        .contains(
            "canary step 1/3 (25%): analysis failed: " + query + " = 0.9, expected below 0.05")
        .contains("(2 of 2 samples failed, limit 1)")
        .contains("rolled back to revision 1 (" + v1 + ")");
    assertThat(done.data().revision()).isEqualTo(1);
    assertThat(done.data().servingDigest()).isEqualTo(v1);
    assertThat(done.data().imageDigest()).isEqualTo(v2);
    assertThat(sandbox.prometheus().timesAsked(query)).isEqualTo(2);
    // Nothing half-way: the canary is gone and the stable Deployment runs v1 with all 4 replicas.
    assertThat(
            sandbox
                .local()
                .client()
                .apps()
                .deployments()
                .inNamespace("prod-ns")
                .withName(app + "-canary")
                .get())
        .isNull();
    Deployment stable =
        sandbox.local().client().apps().deployments().inNamespace("prod-ns").withName(app).get();
    assertThat(stable.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(pinned(app, v1));
    assertThat(stable.getSpec().getReplicas()).isEqualTo(4);
    assertThat(replicasAndImages(app + "-canary", "prod-ns"))
        .containsExactly(pinned(app, v2) + " x1", "deleted");
  }

  private List<String> replicasAndImages(String deployment, String namespace) {
    return sandbox.local().writes(namespace, deployment).stream()
        .map(w -> w.deletion() ? "deleted" : w.image() + " x" + w.replicas())
        .toList();
  }

  private void createRoute(String namespace, String route, String app) {
    sandbox.local().createNamespace(namespace);
    HTTPRoute httpRoute =
        new HTTPRouteBuilder()
            .withNewMetadata()
            .withName(route)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .addNewParentRef()
            .withName("public-gateway")
            .endParentRef()
            .addNewRule()
            .addNewBackendRef()
            .withName(app + "-stable")
            .withPort(8080)
            .withWeight(100)
            .endBackendRef()
            .endRule()
            .endSpec()
            .build();
    sandbox
        .local()
        .client()
        .resources(HTTPRoute.class)
        .inNamespace(namespace)
        .resource(httpRoute)
        .create();
  }

  private List<Integer> canaryWeights(String namespace, String route, String app) {
    HTTPRoute current =
        sandbox
            .local()
            .client()
            .resources(HTTPRoute.class)
            .inNamespace(namespace)
            .withName(route)
            .get();
    return HttpRouteWeights.canaryWeights(current, app);
  }
}

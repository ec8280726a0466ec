package dev.slipway.deploy.rollout;

import static dev.slipway.deploy.support.Deploys.pinned;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.RunContext;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class RollingRolloutIT {

  @InjectSandbox Sandbox sandbox;

  @Test
  void rollingRolloutPinsTheDigestAndSucceeds() {
    String app = Deploys.application();
    String digest = Deploys.digest("v1");
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null));
    Envelope<DeployRequested> request = Deploys.scanPassed(app, "dev", digest, Deploys.run(dev));

    String id = Rollouts.request(request);

    JsonPath rollout = Rollouts.awaitFinished(id, Duration.ofSeconds(30));
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    Deployment deployment =
        sandbox.local().client().apps().deployments().inNamespace("dev-ns").withName(app).get();
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(pinned(app, digest));
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", app)
        .containsEntry("app.kubernetes.io/managed-by", "slipway");
    assertThat(deployment.getMetadata().getAnnotations())
        .containsEntry(DeploymentFactory.RUN_ID, request.runId())
        .containsEntry(DeploymentFactory.COMMIT, request.commitSha())
        .containsEntry(DeploymentFactory.REVISION, "1");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");
    assertThat(container.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .containsExactly("FEATURE_X=on", "LOG_LEVEL=info");
    // The cluster is registered with create-namespaces=true.
    assertThat(sandbox.local().client().namespaces().withName("dev-ns").get()).isNotNull();
    Service service = sandbox.local().client().services().inNamespace("dev-ns").withName(app).get();
    assertThat(service.getSpec().getSelector()).containsEntry("app.kubernetes.io/name", app);

    Envelope<DeployDone> done = Rollouts.deployDone(id);
    assertThat(done.id()).isEqualTo(Envelope.derivedId("deploy.done", id));
    assertThat(done.causationId()).isEqualTo(id);
    assertThat(done.runId()).isEqualTo(request.runId());
    assertThat(done.data().status()).isEqualTo(DeployDone.Status.SUCCEEDED);
    assertThat(done.data().cluster()).isEqualTo("local");
    assertThat(done.data().namespace()).isEqualTo("dev-ns");
    assertThat(done.data().revision()).isEqualTo(1);
    assertThat(done.data().servingDigest()).isEqualTo(digest);
    assertThat(done.data().strategy()).isEqualTo(EnvironmentSpec.Strategy.ROLLING);
    assertThat(done.data().requestReason()).isEqualTo(DeployRequested.Reason.SCAN_PASSED);
    assertThat(done.data().durationMs()).isNotNull().isNotNegative();

    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/apps/" + app + "/environments/dev/releases")
        .then()
        .statusCode(200)
        .body("$", hasSize(1))
        .body("[0].revision", equalTo(1))
        .body("[0].imageDigest", equalTo(digest))
        .body("[0].runId", equalTo(request.runId()))
        .body("[0].commitSha", equalTo(request.commitSha()))
        .body("[0].author", equalTo("Ada Lovelace"))
        .body("[0].status", equalTo("SUCCEEDED"));
  }

  @Test
  void redeliveredRequestStartsOneRollout() {
    String app = Deploys.application();
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    Envelope<DeployRequested> request =
        Deploys.scanPassed(app, "dev", Deploys.digest("v1"), Deploys.run(dev));

    Rollouts.scanPassed(app, request.data().image(), request.data().imageDigest());
    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, request);
    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, request);

    Rollouts.awaitFinished(request.id(), Duration.ofSeconds(30));
    Rollouts.deployDone(request.id());
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("application", app)
        .get("/api/rollouts")
        .then()
        .statusCode(200)
        .body("$", hasSize(1));
    assertThat(sandbox.local().writes("dev-ns", app)).hasSize(1);
    assertThat(Rollouts.records(Topics.DEPLOY_DONE, app)).hasSize(1);
  }

  @Test
  void requestForTheDigestAlreadyServingChangesNothing() {
    String app = Deploys.application();
    String digest = Deploys.digest("v1");
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    RunContext run = Deploys.run(dev);
    String first = Rollouts.request(Deploys.scanPassed(app, "dev", digest, run));
    Rollouts.awaitFinished(first, Duration.ofSeconds(30));

    String second = Rollouts.request(Deploys.scanPassed(app, "dev", digest, run));

    JsonPath again = Rollouts.awaitFinished(second, Duration.ofSeconds(30));
    assertThat(again.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(again.getString("rollout.outcome")).contains("already serves dev as revision 1");
    assertThat(Rollouts.deployDone(second).data().revision()).isEqualTo(1);
    assertThat(sandbox.local().writes("dev-ns", app)).hasSize(1);
  }

  @Test
  void newerRequestWaitsUntilTheRunningRolloutFinished() {
    String app = Deploys.application();
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null));
    RunContext run = Deploys.run(dev);
    String first = Rollouts.request(Deploys.scanPassed(app, "dev", Deploys.digest("v1"), run));
    String second = Rollouts.request(Deploys.scanPassed(app, "dev", Deploys.digest("v2"), run));

    JsonPath older = Rollouts.awaitFinished(first, Duration.ofSeconds(30));
    JsonPath newer = Rollouts.awaitFinished(second, Duration.ofSeconds(30));

    assertThat(older.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(newer.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(newer.getLong("rollout.revision")).isEqualTo(2);
    assertThat(java.time.OffsetDateTime.parse(newer.getString("rollout.startedAt")))
        .isAfterOrEqualTo(java.time.OffsetDateTime.parse(older.getString("rollout.finishedAt")));
  }
}

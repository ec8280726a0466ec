package dev.slipway.deploy.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drift between rollouts: shown by the API, corrected by self-heal. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class DriftIT {

  @InjectSandbox Sandbox sandbox;

  @Inject DriftDetector drift;

  @Test
  void aHandEditAndADeletedServiceAreDriftThatSelfHealCorrects() {
    String app = Deploys.application();
    EnvironmentSpec env =
        new EnvironmentSpec(
            "drift",
            "local",
            "drift-ns",
            Promotion.AUTO,
            0,
            EnvironmentSpec.Strategy.ROLLING,
            List.of(),
            new DeploymentSettings(
                2, 8080, null, null, Map.of(), 30, null, null, null, true, null, null, null, null));
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "drift", Deploys.digest("v1"), Deploys.run(env))),
        Duration.ofSeconds(30));
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/apps/" + app + "/environments/drift/drift")
        .then()
        .statusCode(200)
        .body("inSync", equalTo(true));

    var client = sandbox.local().client();
    client.apps().deployments().inNamespace("drift-ns").withName(app).scale(5);
    client.services().inNamespace("drift-ns").withName(app).delete();

    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/apps/" + app + "/environments/drift/drift")
        .then()
        .statusCode(200)
        .body("inSync", equalTo(false))
        .body("revision", equalTo(1))
        .body("objects.find { it.kind == 'Service' }.status", equalTo("Missing"))
        .body("objects.find { it.kind == 'Deployment' }.status", equalTo("Drifted"))
        .body(
            "objects.find { it.kind == 'Deployment' }.differences",
            hasItem(".spec.replicas: live 5, revision 2"));
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/apps/" + app + "/environments/nowhere/drift")
        .then()
        .statusCode(404);

    var healed = drift.check(app, "drift", true).orElseThrow();

    assertThat(healed.healed()).containsExactlyInAnyOrder("Service " + app, "Deployment " + app);
    assertThat(client.services().inNamespace("drift-ns").withName(app).get()).isNotNull();
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("drift-ns")
                .withName(app)
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(2);
    assertThat(drift.check(app, "drift", false).orElseThrow().inSync()).isTrue();
  }
}

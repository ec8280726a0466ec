package dev.slipway.deploy.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EventJson;
import dev.slipway.events.RunContext;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class PromotionIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;

  @Test
  void automaticPromotionCarriesTheRunToTheNextEnvironmentOnAnotherCluster() {
    String app = Deploys.application();
    String digest = Deploys.digest("v1");
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    EnvironmentSpec staging =
        Deploys.rolling(
            "staging", "remote", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null));
    RunContext run = Deploys.run(dev, staging);
    Envelope<DeployRequested> request = Deploys.scanPassed(app, "dev", digest, run);

    String devRollout = Rollouts.request(request);

    assertThat(Rollouts.awaitFinished(devRollout, ROLLOUT).getString("rollout.status"))
        .isEqualTo("SUCCEEDED");
    String promotionId = Envelope.derivedId("deploy.requested", devRollout, "staging");
    JsonPath staged = Rollouts.awaitFinished(promotionId, ROLLOUT);
    assertThat(staged.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(staged.getString("rollout.reason")).isEqualTo("PROMOTION");
    assertThat(staged.getString("rollout.cluster")).isEqualTo("remote");
    assertThat(staged.getString("rollout.runId")).isEqualTo(request.runId());

    ConsumerRecord<String, byte[]> promotion = requested(app, promotionId);
    assertThat(KafkaTestClient.header(promotion, "ce_causationid"))
        .isEqualTo(Envelope.derivedId("deploy.done", devRollout));
    DeployRequested promoted = EventJson.readPayload(promotion.value(), DeployRequested.class);
    assertThat(promoted.reason()).isEqualTo(DeployRequested.Reason.PROMOTION);
    assertThat(promoted.run()).isEqualTo(run);
    assertThat(promoted.imageDigest()).isEqualTo(digest);

    // dev runs on the local cluster, staging on the remote one, reached with the Secret's token.
    assertThat(
            sandbox.local().client().apps().deployments().inNamespace("dev-ns").withName(app).get())
        .isNotNull();
    assertThat(
            sandbox
                .remote()
                .client()
                .apps()
                .deployments()
                .inNamespace("staging-ns")
                .withName(app)
                .get())
        .isNotNull();
    assertThat(
            sandbox
                .local()
                .client()
                .apps()
                .deployments()
                .inNamespace("staging-ns")
                .withName(app)
                .get())
        .isNull();
    assertThat(sandbox.remote().authorizations()).contains("Bearer " + sandbox.remoteToken());
  }

  @Test
  void manualPromotionNeedsTwoDistinctApproversNeitherTheAuthorNorTheActor() {
    String app = Deploys.application();
    String digest = Deploys.digest("v1");
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    EnvironmentSpec prod =
        Deploys.rolling("prod", "remote", Promotion.MANUAL, 2, Deploys.settings(1, 30, null, null));
    String devRollout =
        Rollouts.request(Deploys.scanPassed(app, "dev", digest, Deploys.run(dev, prod)));
    Rollouts.awaitFinished(devRollout, ROLLOUT);
    String approval = Envelope.derivedId("approval", devRollout, "prod");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(TestTokens.token("vera", "viewer"))
                    .queryParam("application", app)
                    .get("/api/approvals")
                    .then()
                    .statusCode(200)
                    .body("items", hasSize(1))
                    .body("items[0].id", equalTo(approval))
                    .body("items[0].environment", equalTo("prod"))
                    .body("items[0].required", equalTo(2))
                    .body("items[0].status", equalTo("PENDING")));

    approve(approval, "ada", "approver")
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("https://slipway.dev/problems/self-approval"))
        .body("detail", containsString("ada wrote commit"))
        .body("detail", containsString("cannot approve its promotion to prod"));
    approve(approval, "Ada@Example.com", "approver")
        .statusCode(403)
        .body("detail", containsString("author Ada Lovelace"));
    approve(approval, Deploys.ACTOR, "approver")
        .statusCode(403)
        .body("detail", containsString("the run's actor"));
    approve(approval, "vera", "viewer").statusCode(403);
    approve(approval, "vera", "approver")
        .statusCode(200)
        .body("status", equalTo("PENDING"))
        .body("approvals.approver", org.hamcrest.Matchers.contains("vera"));
    approve(approval, "vera", "approver")
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("vera already approved"));
    approve(approval, "bob", "approver")
        .statusCode(200)
        .body("status", equalTo("APPROVED"))
        .body("decidedBy", equalTo("bob"));
    approve(approval, "carol", "approver").statusCode(409);
    approve("no-such-approval", "carol", "approver").statusCode(404);

    String prodRollout = Envelope.derivedId("deploy.requested", approval);
    JsonPath deployed = Rollouts.awaitFinished(prodRollout, ROLLOUT);
    assertThat(deployed.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(deployed.getString("rollout.reason")).isEqualTo("APPROVAL");
    DeployRequested request =
        EventJson.readPayload(requested(app, prodRollout).value(), DeployRequested.class);
    assertThat(request.approvers()).containsExactly("vera", "bob");
    assertThat(request.requestedBy()).isEqualTo("bob");
    assertThat(
            sandbox
                .remote()
                .client()
                .apps()
                .deployments()
                .inNamespace("prod-ns")
                .withName(app)
                .get())
        .isNotNull();
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/apps/" + app + "/environments/prod/releases")
        .then()
        .statusCode(200)
        .body("items[0].approvers", org.hamcrest.Matchers.contains("vera", "bob"));
  }

  @Test
  void newerRunSupersedesAPendingApprovalAndARejectionCloses() {
    String app = Deploys.application();
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    EnvironmentSpec prod =
        Deploys.rolling("prod", "remote", Promotion.MANUAL, 1, Deploys.settings(1, 30, null, null));
    RunContext run = Deploys.run(dev, prod);
    String first = Rollouts.request(Deploys.scanPassed(app, "dev", Deploys.digest("v1"), run));
    Rollouts.awaitFinished(first, ROLLOUT);
    String second = Rollouts.request(Deploys.scanPassed(app, "dev", Deploys.digest("v2"), run));
    Rollouts.awaitFinished(second, ROLLOUT);
    String older = Envelope.derivedId("approval", first, "prod");
    String newer = Envelope.derivedId("approval", second, "prod");

    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/approvals/" + older)
        .then()
        .statusCode(200)
        .body("status", equalTo("SUPERSEDED"))
        .body("reason", containsString("superseded by run"));
    approve(older, "vera", "approver")
        .statusCode(409)
        .body("detail", containsString("is SUPERSEDED"));

    reject(newer, "{}").statusCode(400).body("field", equalTo("reason"));
    reject(newer, "not json").statusCode(400).contentType("application/problem+json");
    reject(newer, "{\"reason\":\"the change freeze is on until Monday\"}")
        .statusCode(200)
        .body("status", equalTo("REJECTED"))
        .body("reason", equalTo("the change freeze is on until Monday"))
        .body("decidedBy", equalTo("vera"));
    approve(newer, "bob", "approver").statusCode(409);
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("application", app)
        .queryParam("status", "PENDING")
        .get("/api/approvals")
        .then()
        .statusCode(200)
        .body("items", hasSize(0));
  }

  private static io.restassured.response.ValidatableResponse approve(
      String id, String user, String role) {
    return given()
        .auth()
        .oauth2(TestTokens.token(user, role))
        .post("/api/approvals/" + id + "/approve")
        .then();
  }

  private static io.restassured.response.ValidatableResponse reject(String id, String body) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "approver"))
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/approvals/" + id + "/reject")
        .then();
  }

  private static ConsumerRecord<String, byte[]> requested(String app, String eventId) {
    List<ConsumerRecord<String, byte[]>> found =
        Rollouts.records(Topics.DEPLOY_REQUESTED, app).stream()
            .filter(record -> eventId.equals(KafkaTestClient.header(record, "ce_id")))
            .toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }
}

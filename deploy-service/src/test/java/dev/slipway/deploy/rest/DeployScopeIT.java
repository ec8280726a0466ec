package dev.slipway.deploy.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.testsupport.AccessPolicies;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Roles are scoped to teams and environments: a deployer of team shop cannot roll back bank's
 * production, and {@code shop-prod-approvers} approve prod of team shop, nothing else.
 *
 * <pre>
 * caller (binding)                          operation                           answer
 * dave (shop-deployers: deployer, shop)     rollback bank's prod                403
 *                                           rollback shop's prod                not 403 (404: no release)
 *                                           GET rollouts of bank                403
 *                                           pause/resume/promote/abort a rollout
 *                                             of bank                           403
 * sam (shop-prod-approvers: approver,       approve shop's staging              403
 *      team shop, environment prod)         approve shop's prod                 200
 * </pre>
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class DeployScopeIT {

  @Test
  void aDeployerOfOneTeamCannotRollBackAnotherTeamsProduction() {
    String shop = Deploys.application();
    String bank = Deploys.application();
    AccessPolicies.policy()
        .application(shop, "shop")
        .application(bank, "bank")
        .binding("shop-deployers", "deployer", "shop", null, null)
        .publish();
    String dave = TestTokens.token("dave", "shop-deployers");

    rollback(dave, bank)
        .statusCode(403)
        .contentType("application/problem+json")
        .body("detail", containsString("prod of " + bank + " (team bank)"));
    assertThat(rollback(dave, shop).extract().statusCode()).isNotEqualTo(403);
    given()
        .auth()
        .oauth2(dave)
        .queryParam("application", bank)
        .get("/api/rollouts")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(dave)
        .get("/api/apps/" + bank + "/environments/prod/releases")
        .then()
        .statusCode(403);
  }

  @Test
  void anApproverBoundToProdOfATeamApprovesOnlyThat() {
    String shop = Deploys.application();
    AccessPolicies.policy()
        .application(shop, "shop")
        .binding("shop-prod-approvers", "approver", "shop", null, "prod")
        .publish();
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    EnvironmentSpec staging =
        Deploys.rolling(
            "staging", "local", Promotion.MANUAL, 1, Deploys.settings(1, 30, null, null));
    EnvironmentSpec prod =
        Deploys.rolling("prod", "remote", Promotion.MANUAL, 1, Deploys.settings(1, 30, null, null));
    String devRollout =
        Rollouts.request(
            Deploys.scanPassed(
                shop, "dev", Deploys.digest("scope"), Deploys.run(dev, staging, prod)));
    Rollouts.awaitFinished(devRollout, Duration.ofSeconds(40));
    String toStaging = Envelope.derivedId("approval", devRollout, "staging");
    String sam = TestTokens.token("sam", "shop-prod-approvers");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(sam)
                    .post("/api/approvals/" + toStaging + "/approve")
                    .then()
                    .statusCode(403)
                    .body(
                        "detail",
                        equalTo(
                            "sam holds no role among [approver] for staging of "
                                + shop
                                + " (team shop)")));
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "approver"))
        .post("/api/approvals/" + toStaging + "/approve")
        .then()
        .statusCode(200);
    String stagingRollout = Envelope.derivedId("deploy.requested", toStaging);
    Rollouts.awaitFinished(stagingRollout, Duration.ofSeconds(40));
    String toProd = Envelope.derivedId("approval", stagingRollout, "prod");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(sam)
                    .post("/api/approvals/" + toProd + "/approve")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("APPROVED"))
                    .body("approvals.name", org.hamcrest.Matchers.contains("sam")));
  }

  @Test
  void aDeployerOfOneTeamCannotSteerAnotherTeamsRollout() {
    String shop = Deploys.application();
    String bank = Deploys.application();
    AccessPolicies.policy()
        .application(shop, "shop")
        .application(bank, "bank")
        .binding("shop-deployers", "deployer", "shop", null, null)
        .publish();
    String dave = TestTokens.token("dave", "shop-deployers");
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    String bankRollout =
        Rollouts.request(
            Deploys.scanPassed(bank, "dev", Deploys.digest("steer"), Deploys.run(dev)));
    String shopRollout =
        Rollouts.request(
            Deploys.scanPassed(shop, "dev", Deploys.digest("steer"), Deploys.run(dev)));
    Rollouts.awaitFinished(bankRollout, Duration.ofSeconds(40));
    Rollouts.awaitFinished(shopRollout, Duration.ofSeconds(40));

    for (String command : new String[] {"pause", "resume", "promote", "abort"}) {
      given()
          .auth()
          .oauth2(dave)
          .post("/api/rollouts/" + bankRollout + "/" + command)
          .then()
          .statusCode(403)
          .contentType("application/problem+json")
          .body("detail", containsString("dev of " + bank + " (team bank)"));
    }
    // In scope the command is judged on the rollout itself: a finished one has nothing to abort.
    given()
        .auth()
        .oauth2(dave)
        .post("/api/rollouts/" + shopRollout + "/abort")
        .then()
        .statusCode(409)
        .body("detail", containsString("rollout is finished"));
  }

  private static io.restassured.response.ValidatableResponse rollback(String token, String app) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("revision", 1))
        .post("/api/apps/" + app + "/environments/prod/rollback")
        .then();
  }
}

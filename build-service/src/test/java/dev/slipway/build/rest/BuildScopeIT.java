package dev.slipway.build.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.AccessPolicies;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Roles are scoped: a deployer of team shop reads, cancels and retries shop's builds and gets 403
 * (naming the team) on bank's, whose builds a list leaves out.
 *
 * <pre>
 * as shop-deployers (deployer of team shop)   shop's build   bank's build
 * GET  /api/builds?application=...               200            403
 * GET  /api/builds                               shop's only
 * GET  /api/builds/{id}, /log                    200            403
 * POST /api/builds/{id}/cancel                   409 (ended)    403
 * POST /api/builds/{id}/retry                    201            403
 * </pre>
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildScopeIT {

  @Test
  void aDeployerOfOneTeamCannotTouchAnotherTeamsBuilds() {
    String shop = "shop-" + UUID.randomUUID().toString().substring(0, 8);
    String bank = "bank-" + UUID.randomUUID().toString().substring(0, 8);
    AccessPolicies.policy()
        .application(shop, "shop")
        .application(bank, "bank")
        .binding("shop-deployers", "deployer", "shop", null, null)
        .publish();
    // A repository without .slipway.yaml: its builds end at once, which is all this test needs.
    GitFixture.Repo repo = GitFixture.create(java.util.Map.of("README.md", "scope\n"));
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, Builds.commit(shop, repo, "refs/heads/main", "a"));
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, Builds.commit(bank, repo, "refs/heads/main", "b"));
    String shopBuild = Builds.awaitEnded(shop).getString("id");
    String bankBuild = Builds.awaitEnded(bank).getString("id");
    String dave = TestTokens.token("dave", "shop-deployers");

    given()
        .auth()
        .oauth2(dave)
        .queryParam("application", shop)
        .get("/api/builds")
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2(dave)
        .queryParam("application", bank)
        .get("/api/builds")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("detail", containsString("team bank"));
    List<String> listed =
        given()
            .auth()
            .oauth2(dave)
            .queryParam("limit", "500")
            .get("/api/builds")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("builds.application");
    assertThat(listed).contains(shop).doesNotContain(bank);

    given().auth().oauth2(dave).get("/api/builds/" + shopBuild).then().statusCode(200);
    given().auth().oauth2(dave).get("/api/builds/" + bankBuild).then().statusCode(403);
    given().auth().oauth2(dave).get("/api/builds/" + bankBuild + "/log").then().statusCode(403);
    given().auth().oauth2(dave).post("/api/builds/" + shopBuild + "/cancel").then().statusCode(409);
    given()
        .auth()
        .oauth2(dave)
        .post("/api/builds/" + bankBuild + "/cancel")
        .then()
        .statusCode(403)
        .body(
            "detail",
            equalTo("dave holds no role among [admin, deployer] for " + bank + " (team bank)"));
    given().auth().oauth2(dave).post("/api/builds/" + bankBuild + "/retry").then().statusCode(403);
    given().auth().oauth2(dave).post("/api/builds/" + shopBuild + "/retry").then().statusCode(201);
  }
}

package dev.slipway.trigger.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.EventJson;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Teams, role bindings and identity links through the admin API: versioned (ETag, If-Match, 409 on
 * a stale version), every change on access.policy with its actor, and every scope check of the
 * registry (a deployer of team shop runs shop's applications, not bank's, and lists only shop's).
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class AccessAdminIT {

  private static final String ROOT = TestTokens.token("root", "admin");

  @Test
  void aBindingIsVersionedAndEveryChangeIsPublishedWithItsActor() {
    String group = Webhooks.unique("approvers");
    var created =
        given()
            .auth()
            .oauth2(ROOT)
            .contentType(ContentType.JSON)
            .body(Map.of("group", group, "role", "approver", "team", "shop", "environment", "prod"))
            .post("/api/admin/bindings")
            .then()
            .statusCode(201)
            .header("ETag", "\"1\"")
            .body("role", equalTo("approver"))
            .extract();
    String id = created.path("id");

    Map<String, Object> wider = Map.of("group", group, "role", "approver", "team", "shop");
    given()
        .auth()
        .oauth2(ROOT)
        .contentType(ContentType.JSON)
        .body(wider)
        .put("/api/admin/bindings/" + id)
        .then()
        .statusCode(400)
        .body("field", equalTo("If-Match"));
    given()
        .auth()
        .oauth2(ROOT)
        .header("If-Match", "\"1\"")
        .contentType(ContentType.JSON)
        .body(wider)
        .put("/api/admin/bindings/" + id)
        .then()
        .statusCode(200)
        .header("ETag", "\"2\"");
    given()
        .auth()
        .oauth2(ROOT)
        .header("If-Match", "\"1\"")
        .contentType(ContentType.JSON)
        .body(wider)
        .put("/api/admin/bindings/" + id)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("is at version 2, not 1"));
    given()
        .auth()
        .oauth2(TestTokens.token("dave", "deployer"))
        .contentType(ContentType.JSON)
        .body(wider)
        .post("/api/admin/bindings")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(ROOT)
        .contentType(ContentType.JSON)
        .body(Map.of("group", group, "role", "overlord"))
        .post("/api/admin/bindings")
        .then()
        .statusCode(400)
        .body("field", equalTo("role"));
    given()
        .auth()
        .oauth2(ROOT)
        .header("If-Match", "2")
        .delete("/api/admin/bindings/" + id)
        .then()
        .statusCode(204);
    given()
        .auth()
        .oauth2(ROOT)
        .get("/api/admin/bindings/" + id + "/versions")
        .then()
        .statusCode(200)
        .body("version", org.hamcrest.Matchers.contains(1, 2, 3))
        .body("deleted", org.hamcrest.Matchers.contains(false, false, true));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              List<AccessPolicy> published =
                  KafkaTestClient.read(Topics.ACCESS_POLICY, 1, Duration.ofSeconds(2)).stream()
                      .map(r -> EventJson.readPayload(r.value(), AccessPolicy.class))
                      .filter(p -> p.change() != null && id.equals(p.change().target()))
                      .toList();
              assertThat(published)
                  .extracting(p -> p.change().action())
                  .containsExactly("binding.created", "binding.updated", "binding.deleted");
              assertThat(published).allMatch(p -> p.change().actor().equals("root"));
              assertThat(published.get(0).change().detail())
                  .isEqualTo("group " + group + " is approver for prod of team shop");
            });
  }

  @Test
  void aDeployerOfOneTeamRunsItsApplicationsAndNotAnotherTeams() {
    String shop = Webhooks.unique("shop");
    String bank = Webhooks.unique("bank");
    register(shop, "shop");
    register(bank, "bank");
    String group = Webhooks.unique("shop-deployers");
    given()
        .auth()
        .oauth2(ROOT)
        .contentType(ContentType.JSON)
        .body(Map.of("group", group, "role", "deployer", "team", "shop"))
        .post("/api/admin/bindings")
        .then()
        .statusCode(201);
    String dave = TestTokens.token("dave", group);

    run(dave, shop).statusCode(202);
    run(dave, bank)
        .statusCode(403)
        .contentType("application/problem+json")
        .body(
            "detail",
            equalTo("dave holds no role among [admin, deployer] for " + bank + " (team bank)"));
    given().auth().oauth2(dave).get("/api/apps/" + bank).then().statusCode(403);
    given()
        .auth()
        .oauth2(dave)
        .get("/api/apps/" + shop)
        .then()
        .statusCode(200)
        .body("team", equalTo("shop"));
    List<String> listed =
        given()
            .auth()
            .oauth2(dave)
            .get("/api/apps")
            .then()
            .statusCode(200)
            .extract()
            .path("items.name");
    assertThat(listed).contains(shop).doesNotContain(bank);
    given()
        .auth()
        .oauth2(dave)
        .contentType(ContentType.JSON)
        .body(
            Webhooks.application(
                bank, "github", "https://github.com/acme/" + bank, "s3cret-s3cret"))
        .put("/api/apps/" + bank)
        .then()
        .statusCode(403);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        KafkaTestClient.read(Topics.ACCESS_POLICY, 1, Duration.ofSeconds(2))
                            .stream()
                            .map(r -> EventJson.readPayload(r.value(), AccessPolicy.class))
                            .filter(p -> p.change() != null && bank.equals(p.change().target())))
                    .anySatisfy(
                        p -> {
                          assertThat(p.change().action()).isEqualTo("application.created");
                          assertThat(p.change().actor()).isEqualTo("root");
                          assertThat(p.applications().get(bank).team()).isEqualTo("bank");
                        }));
  }

  @Test
  void anIdentityLinkIsVersioned() {
    String user = "corp/" + Webhooks.unique("grace");
    Map<String, Object> body =
        Map.of(
            "accounts", List.of(Map.of("provider", "github", "id", "1002", "login", "grace")),
            "emails", List.of("grace@example.com"));
    given()
        .auth()
        .oauth2(ROOT)
        .contentType(ContentType.JSON)
        .body(body)
        .put("/api/admin/identities/" + user)
        .then()
        .statusCode(200)
        .header("ETag", "\"1\"");
    given()
        .auth()
        .oauth2(ROOT)
        .contentType(ContentType.JSON)
        .body(body)
        .put("/api/admin/identities/" + user)
        .then()
        .statusCode(409);
    given()
        .auth()
        .oauth2(ROOT)
        .header("If-Match", "\"1\"")
        .contentType(ContentType.JSON)
        .body(Map.of("accounts", List.of(Map.of("provider", "myspace", "login", "g"))))
        .put("/api/admin/identities/" + user)
        .then()
        .statusCode(400)
        .body("field", equalTo("accounts[0].provider"));
  }

  private static void register(String name, String team) {
    Map<String, Object> body =
        new java.util.HashMap<>(
            Webhooks.application(
                name, "github", "https://github.com/acme/" + name, "s3cret-s3cret"));
    body.put("team", team);
    Webhooks.register(body);
  }

  private static io.restassured.response.ValidatableResponse run(String token, String app) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("ref", "main", "commit", Webhooks.newSha()))
        .post("/api/apps/" + app + "/runs")
        .then();
  }
}

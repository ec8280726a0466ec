package dev.slipway.console.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The applications page over services that answer ({@link FakeServices}): the calls a user's last
 * load needed start early (CallHints), yet the page shows only what this load's answers say, and
 * every call carries the signed-in user's own token, never another user's hints.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeServices.class, restrictToAnnotatedClass = true)
class ConsolePagesIT {

  @Test
  void aHintOnlyStartsCallsEarlyAndNeverShapesAnotherUsersCalls() throws InterruptedException {
    FakeServices.environments("dev", "prod");
    String grace = ConsoleSecurityIT.signIn("grace", "viewer");
    assertThat(applications(grace)).contains("rollout-of-dev").contains("rollout-of-prod");

    // prod is gone, staging is new: grace's hint (dev, prod) is now wrong.
    FakeServices.environments("dev", "staging");
    FakeServices.CALLS.clear();
    String mallory = ConsoleSecurityIT.signIn("mallory", "viewer");
    assertThat(applications(mallory))
        .contains("rollout-of-staging")
        .doesNotContain("rollout-of-prod");
    assertThat(FakeServices.CALLS)
        .as("mallory's load: her own token only, and nothing grace's hint named")
        .allSatisfy(call -> assertThat(call.user()).isEqualTo("mallory"))
        .noneMatch(call -> call.path().contains("/prod/"));

    FakeServices.CALLS.clear();
    String page = applications(grace);
    assertThat(page).contains("rollout-of-dev").contains("rollout-of-staging");
    assertThat(page).as("an early call nobody needs is dropped").doesNotContain("rollout-of-prod");
    awaitCall("/api/apps/shop/environments/prod/releases");
    assertThat(FakeServices.CALLS)
        .as("grace's load: her hint started prod's call early, the fresh list staging's")
        .allSatisfy(call -> assertThat(call.user()).isEqualTo("grace"))
        .anyMatch(call -> call.path().startsWith("/api/apps/shop/environments/staging/releases"));
  }

  private static String applications(String session) {
    return given()
        .cookie("slipway_session", session)
        .get("/")
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  /** Early calls are asynchronous: the one nobody waited for may arrive after the page. */
  private static void awaitCall(String path) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      List<FakeServices.Call> calls = List.copyOf(FakeServices.CALLS);
      if (calls.stream().anyMatch(c -> c.path().startsWith(path))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no call of " + path + " in " + FakeServices.CALLS);
  }
}

package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.recordsOf;
import static dev.slipway.trigger.CommitTopic.storedDeliveries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every webhook that is not turned into a run gets a clear answer, and leaves nothing behind: no
 * record on commit.received, no delivery row.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class WebhookRejectionIT {

  private String app;
  private String secret;
  private String delivery;

  @BeforeEach
  void registerApplication() {
    app = Webhooks.unique("rej");
    secret = "rej-secret-" + app;
    delivery = UUID.randomUUID().toString();
    Map<String, Object> body =
        Webhooks.application(app, "github", "https://github.com/acme/" + app, secret);
    body.put("branches", List.of("main", "release/*"));
    body.put("tags", List.of("v*"));
    Webhooks.register(body);
  }

  @Test
  void wrongGithubSignatureIs401() {
    String body = push();
    Map<String, String> headers = headers(body);
    headers.put("X-Hub-Signature-256", "sha256=" + Webhooks.hmac("not-the-secret", body));
    assertProblem(Webhooks.post("github", body, headers).then(), 401, "invalid-signature");
    assertNothingLeft();
  }

  @Test
  void missingGithubSignatureIs401() {
    String body = push();
    Map<String, String> headers = headers(body);
    headers.remove("X-Hub-Signature-256");
    assertProblem(Webhooks.post("github", body, headers).then(), 401, "invalid-signature")
        .body("detail", containsString("X-Hub-Signature-256"));
    assertNothingLeft();
  }

  @Test
  void bodyAlteredAfterSigningIs401() {
    String body = push();
    Map<String, String> headers = headers(body);
    String altered = body.replace("Fix checkout rounding", "Fix checkout roundinG");
    assertProblem(Webhooks.post("github", altered, headers).then(), 401, "invalid-signature");
    assertNothingLeft();
  }

  @Test
  void wrongTokensAndSignaturesOfTheOtherHostsAre401OnBothUrls() {
    Map<String, String> fixtures =
        Map.of(
            "gitlab",
            "gitlab-push.json",
            "bitbucket",
            "bitbucket-push.json",
            "gitea",
            "gitea-push.json");
    Map<String, String> hosts =
        Map.of(
            "gitlab", "https://gitlab.example.com",
            "bitbucket", "https://bitbucket.org",
            "gitea", "https://gitea.example.com");
    for (String provider : List.of("gitlab", "bitbucket", "gitea")) {
      String other = app + "-" + provider;
      Webhooks.register(other, provider, hosts.get(provider) + "/acme/" + other, secret);
      String body = Webhooks.payload(fixtures.get(provider), "acme/" + other);
      Map<String, String> headers =
          switch (provider) {
            case "gitlab" -> Webhooks.gitlab("Push Hook", delivery, "wrong-token");
            case "bitbucket" -> Webhooks.bitbucket("repo:push", delivery, "wrong-secret", body);
            default -> Webhooks.gitea("push", delivery, "wrong-secret", body);
          };
      assertProblem(Webhooks.post(provider, body, headers).then(), 401, "invalid-signature");
      assertProblem(
          Webhooks.postFor(provider, other, body, headers).then(), 401, "invalid-signature");
      assertThat(recordsOf(other)).isEmpty();
    }
    assertNothingLeft();
  }

  @Test
  void bodyThatIsNotJsonIs400() {
    String body = "payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D";
    assertProblem(Webhooks.post("github", body, headers(body)).then(), 400, "invalid-input")
        .body("field", equalTo("(body)"));
    assertNothingLeft();
  }

  @Test
  void pushWithoutAFieldTheMappingNeedsIs400NamingIt() {
    String body = push().replace("\"head_commit\": {", "\"head_commit_gone\": {");
    assertProblem(Webhooks.post("github", body, headers(body)).then(), 400, "invalid-input")
        .body("field", equalTo("head_commit"));
    assertNothingLeft();
  }

  @Test
  void bodyOverFiveMebibytesIs413() {
    String push = push();
    String body =
        push.substring(0, push.length() - 2)
            + ", \"padding\": \""
            + "x".repeat(5 * 1024 * 1024)
            + "\"}";
    assertProblem(Webhooks.post("github", body, headers(body)).then(), 413, "payload-too-large");
    assertNothingLeft();
  }

  @Test
  void branchDeletionIsIgnored() {
    String body = Webhooks.payload("github-branch-deleted.json", "acme/" + app);
    Webhooks.post("github", body, headers(body))
        .then()
        .statusCode(202)
        .body("ignored", startsWith("ref deleted"));
    assertNothingLeft();
  }

  @Test
  void pushMatchingNoFilterIsIgnored() {
    String body =
        push().replace("\"ref\": \"refs/heads/main\"", "\"ref\": \"refs/heads/feature/x\"");
    Webhooks.post("github", body, headers(body))
        .then()
        .statusCode(202)
        .body("ignored", containsString("no branch or tag filter matches refs/heads/feature/x"));
    assertNothingLeft();
  }

  @Test
  void otherEventTypesAreIgnored() {
    String body = push();
    Map<String, String> headers = headers(body);
    headers.put("X-GitHub-Event", "issues");
    Webhooks.post("github", body, headers)
        .then()
        .statusCode(202)
        .body("ignored", containsString("issues"));
    assertNothingLeft();
  }

  @Test
  void pingIsAnswered200() {
    String body = Webhooks.payload("github-ping.json", "acme/" + app);
    Map<String, String> headers = new HashMap<>(Webhooks.github("ping", delivery, secret, body));
    Webhooks.post("github", body, headers).then().statusCode(200);
    assertNothingLeft();
  }

  @Test
  void unknownProviderIs404Problem() {
    String body = push();
    Webhooks.post("sourceforge", body, headers(body))
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  private String push() {
    return Webhooks.payload("github-push.json", "acme/" + app);
  }

  private Map<String, String> headers(String body) {
    return new HashMap<>(Webhooks.github("push", delivery, secret, body));
  }

  private static ValidatableResponse assertProblem(
      ValidatableResponse response, int status, String kind) {
    return response
        .statusCode(status)
        .contentType("application/problem+json")
        .body("status", equalTo(status))
        .body("type", equalTo("https://slipway.dev/problems/" + kind))
        .body("title", notNullValue())
        .body("detail", notNullValue());
  }

  private void assertNothingLeft() {
    assertThat(recordsOf(app)).isEmpty();
    assertThat(CommitTopic.outboxRows(app)).isZero();
    assertThat(storedDeliveries(delivery)).isZero();
  }
}

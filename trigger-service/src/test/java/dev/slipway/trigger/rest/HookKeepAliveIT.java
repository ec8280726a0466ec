package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.header;
import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.EventJson;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Answers that keep a Git host's hook alive: a group or organisation hook sends every project's
 * pushes, and GitLab disables a hook after four failures in a row, so a push nobody follows is a
 * 202 that starts nothing, not a 404; and GitHub's default form-encoded payloads are accepted.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class HookKeepAliveIT {

  @Test
  void signedPushOfARepositoryNobodyFollowsIs202IgnoredOnTheHostWideUrl() {
    String app = Webhooks.unique("alive");
    String secret = "alive-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    // An organisation hook signed with the secret of app, sending a push of another repository.
    String body = Webhooks.payload("github-push.json", "acme/unfollowed-" + app);
    String delivery = UUID.randomUUID().toString();

    Webhooks.post("github", body, Webhooks.github("push", delivery, secret, body))
        .then()
        .statusCode(202)
        .body("ignored", containsString("no application follows"));

    assertNothingStored(app, delivery);
  }

  @Test
  void gitlabGroupHookWithAValidTokenForAnUnfollowedProjectIs202Ignored() {
    String app = Webhooks.unique("alive-gl");
    String token = "alive-token-" + app;
    Webhooks.register(app, "gitlab", "https://gitlab.example.com/acme/" + app, token);
    String body = Webhooks.payload("gitlab-push.json", "acme/other-project-" + app);
    String delivery = UUID.randomUUID().toString();

    for (int attempt = 0; attempt < 5; attempt++) {
      Webhooks.post("gitlab", body, Webhooks.gitlab("Push Hook", delivery + attempt, token))
          .then()
          .statusCode(202)
          .body("ignored", containsString("no application follows"));
    }

    assertNothingStored(app, delivery);
  }

  @Test
  void ownUrlReceivingAnotherRepositorysPushIs202IgnoredAndStartsNothing() {
    String app = Webhooks.unique("alive-own");
    String secret = "alive-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String body = Webhooks.payload("github-push.json", "acme/elsewhere-" + app);
    String delivery = UUID.randomUUID().toString();

    Webhooks.postFor("github", app, body, Webhooks.github("push", delivery, secret, body))
        .then()
        .statusCode(202)
        .body("ignored", containsString("does not follow"));

    assertNothingStored(app, delivery);
  }

  @Test
  void githubFormEncodedPushIsAcceptedWithTheSignatureOverTheFormBody() {
    String app = Webhooks.unique("form");
    String secret = "form-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String json = Webhooks.payload("github-push.json", "acme/" + app);
    String form = "payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    String delivery = UUID.randomUUID().toString();

    Response hostWide = postForm("/webhooks/github", form, secret, delivery + "-1");
    // The same push again, under a new delivery id, to the application's own URL: same run.
    Response own = postForm("/webhooks/github/" + app, form, secret, delivery + "-2");

    hostWide.then().statusCode(202).body("application", equalTo(app));
    own.then().statusCode(200).body("runId", equalTo(hostWide.path("runId")));
    var records = recordsOf(app);
    assertThat(records).hasSize(1);
    CommitReceived commit = EventJson.readPayload(records.get(0).value(), CommitReceived.class);
    assertThat(commit.commitSha()).isEqualTo("9f3c1e2d4b5a69788716253443526170819a0b1c");
    assertThat(commit.message()).startsWith("Fix checkout rounding");
    assertThat(header(records.get(0), "ce_subject")).isEqualTo(app);
  }

  private static Response postForm(String path, String form, String secret, String delivery) {
    // The form is URL-encoded ASCII: sent as is, exactly the bytes that were signed.
    return given()
        .config(
            RestAssured.config()
                .encoderConfig(
                    EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false)))
        .headers(Webhooks.github("push", delivery, secret, form))
        .contentType(ContentType.URLENC)
        .body(form)
        .post(path);
  }

  private static void assertNothingStored(String app, String delivery) {
    assertThat(CommitTopic.outboxRows(app)).isZero();
    assertThat(CommitTopic.storedDeliveries(delivery)).isZero();
    assertThat(recordsOf(app)).isEmpty();
  }
}

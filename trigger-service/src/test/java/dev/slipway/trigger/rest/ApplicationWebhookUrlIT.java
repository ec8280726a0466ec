package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Each application has its own webhook URL, so its secret is known before the body is read: one
 * HMAC per request, whatever the number of applications. The host-wide URL keeps working with a
 * bounded set of candidates.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ApplicationWebhookUrlIT {

  private static final Pattern CHECKS =
      Pattern.compile("slipway_webhook_signature_checks_total\\{provider=\"github\"} ([0-9.E]+)");

  @Test
  void viewShowsTheOwnUrlAndAPushThereStartsARunForThatApplicationOnly() {
    String repo = Webhooks.unique("mono");
    String secret = "mono-secret-" + repo;
    Webhooks.register(repo + "-api", "github", "https://github.com/acme/" + repo, secret);
    Webhooks.register(repo + "-web", "github", "https://github.com/acme/" + repo, secret);
    String url =
        given()
            .auth()
            .oauth2(Webhooks.ADMIN)
            .get("/api/apps/" + repo + "-api")
            .then()
            .statusCode(200)
            .body("webhookUrl", endsWith("/webhooks/github/" + repo + "-api"))
            .extract()
            .path("webhookUrl");
    String body = Webhooks.payload("github-push.json", "acme/" + repo);

    Response response =
        Webhooks.postTo(
            url.substring(url.indexOf("/webhooks/")),
            body,
            Webhooks.github("push", UUID.randomUUID().toString(), secret, body));

    response.then().statusCode(202).body("application", equalTo(repo + "-api"));
    assertThat(recordsOf(repo + "-api")).hasSize(1);
    assertThat(recordsOf(repo + "-web")).isEmpty();
  }

  @Test
  void oneSignatureCheckPerRequestHoweverManyApplicationsThereAre() {
    String prefix = Webhooks.unique("many");
    for (int i = 0; i < 25; i++) {
      Webhooks.register(
          prefix + "-" + i,
          "github",
          "https://github.com/acme/" + prefix + "-" + i,
          "s-" + i + "-" + prefix);
    }
    String app = prefix + "-7";
    String secret = "s-7-" + prefix;
    String body = Webhooks.payload("github-push.json", "acme/" + app);

    double before = signatureChecks();
    Webhooks.postFor(
            "github",
            app,
            body,
            Webhooks.github("push", UUID.randomUUID().toString(), secret, body))
        .then()
        .statusCode(202);
    double afterOwnUrl = signatureChecks();
    String other = prefix + "-9";
    String otherBody = Webhooks.payload("github-push.json", "acme/" + other);
    Webhooks.post(
            "github",
            otherBody,
            Webhooks.github("push", UUID.randomUUID().toString(), "s-9-" + prefix, otherBody))
        .then()
        .statusCode(202);
    double afterHostWide = signatureChecks();

    assertThat(afterOwnUrl - before).isEqualTo(1.0);
    assertThat(afterHostWide - afterOwnUrl).isEqualTo(1.0);
  }

  @Test
  void pushSignedWithASecretOfApplicationANamingBsRepositoryIs401ForB() {
    String a = Webhooks.unique("app-a");
    String b = Webhooks.unique("app-b");
    String secretA = "secret-of-" + a;
    Webhooks.register(a, "github", "https://github.com/acme/" + a, secretA);
    Webhooks.register(b, "github", "https://github.com/acme/" + b, "secret-of-" + b);
    String body = Webhooks.payload("github-push.json", "acme/" + b);
    String delivery = UUID.randomUUID().toString();

    Webhooks.post("github", body, Webhooks.github("push", delivery, secretA, body))
        .then()
        .statusCode(401)
        .body("type", equalTo("https://slipway.dev/problems/invalid-signature"));
    Webhooks.postFor("github", b, body, Webhooks.github("push", delivery, secretA, body))
        .then()
        .statusCode(401);
    // A's own URL authenticates A, whose repository this is not: nothing starts for anyone.
    Webhooks.postFor("github", a, body, Webhooks.github("push", delivery, secretA, body))
        .then()
        .statusCode(202);

    assertThat(recordsOf(a)).isEmpty();
    assertThat(recordsOf(b)).isEmpty();
    assertThat(CommitTopic.storedDeliveries(delivery)).isZero();
  }

  @Test
  void unknownApplicationOrAnotherHostsApplicationIs404() {
    String app = Webhooks.unique("own404");
    String secret = "own404-secret-" + app;
    Webhooks.register(app, "gitlab", "https://gitlab.example.com/acme/" + app, secret);
    String body = Webhooks.payload("github-push.json", "acme/" + app);

    for (String path : List.of("/webhooks/github/nobody-" + app, "/webhooks/github/" + app)) {
      Webhooks.postTo(
              path, body, Webhooks.github("push", UUID.randomUUID().toString(), secret, body))
          .then()
          .statusCode(404)
          .contentType("application/problem+json")
          .body("type", equalTo("https://slipway.dev/problems/application-not-found"));
    }
  }

  private static double signatureChecks() {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher matcher = CHECKS.matcher(metrics);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
  }
}

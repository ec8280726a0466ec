package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.header;
import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.EventJson;
import dev.slipway.events.Severity;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A signed push from each Git host becomes exactly one commit.received with the push's data. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class WebhookPushIT {

  @Test
  void githubBranchPushBecomesOneCommitReceived() {
    String app = Webhooks.unique("gh");
    String secret = "gh-secret-" + app;
    Webhooks.register(app, "github", "git@github.com:acme/" + app + ".git", secret);
    String body = Webhooks.payload("github-push.json", "acme/" + app);
    String delivery = UUID.randomUUID().toString();

    Response response =
        Webhooks.post("github", body, Webhooks.github("push", delivery, secret, body));

    response.then().statusCode(202).body("application", equalTo(app));
    CommitReceived commit =
        only(app, response.path("runId"), "9f3c1e2d4b5a69788716253443526170819a0b1c");
    assertThat(commit.provider()).isEqualTo("github");
    assertThat(commit.repoUrl()).isEqualTo("https://github.com/acme/" + app);
    assertThat(commit.ref()).isEqualTo("refs/heads/main");
    assertThat(commit.author().name()).isEqualTo("Ada Lovelace");
    assertThat(commit.author().email()).isEqualTo("ada@example.com");
    assertThat(commit.author().username()).isEqualTo("ada");
    assertThat(commit.message())
        .isEqualTo("Fix checkout rounding\n\nTotals were rounded per line instead of per order.");
    assertThat(commit.actor()).isEqualTo("ada");
    assertThat(commit.deliveryId()).endsWith(delivery);
    assertThat(commit.pipeline().environments())
        .extracting(e -> e.name() + ":" + e.promotion() + ":" + e.strategy())
        .containsExactly(
            "dev:" + Promotion.AUTO + ":" + Strategy.ROLLING,
            "prod:" + Promotion.MANUAL + ":" + Strategy.CANARY);
    assertThat(commit.pipeline().environments().get(1).canarySteps()).containsExactly(10, 50, 100);
    assertThat(commit.pipeline().scanPolicy().failOn()).isEqualTo(Severity.HIGH);
    assertThat(commit.pipeline().scanPolicy().ignoreUnfixed()).isTrue();
  }

  @Test
  void githubTagPushCarriesTheTag() {
    String app = Webhooks.unique("ghtag");
    String secret = "gh-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String body = Webhooks.payload("github-tag-push.json", "acme/" + app);

    Response response =
        Webhooks.post(
            "github", body, Webhooks.github("push", UUID.randomUUID().toString(), secret, body));

    response.then().statusCode(202);
    CommitReceived commit =
        only(app, response.path("runId"), "4be8e5b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7");
    assertThat(commit.ref()).isEqualTo("refs/tags/v1.4.0");
    assertThat(commit.isTag()).isTrue();
    assertThat(commit.author().name()).isEqualTo("Grace Hopper");
    assertThat(commit.message()).isEqualTo("Release 1.4.0");
  }

  @Test
  void gitlabBranchPushBecomesOneCommitReceived() {
    String app = Webhooks.unique("gl");
    String token = "gl-token-" + app;
    Webhooks.register(app, "gitlab", "https://gitlab.example.com/acme/" + app + ".git", token);
    String body = Webhooks.payload("gitlab-push.json", "acme/" + app);

    Response response =
        Webhooks.post(
            "gitlab", body, Webhooks.gitlab("Push Hook", UUID.randomUUID().toString(), token));

    response.then().statusCode(202);
    CommitReceived commit =
        only(app, response.path("runId"), "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
    assertThat(commit.provider()).isEqualTo("gitlab");
    assertThat(commit.repoUrl()).isEqualTo("https://gitlab.example.com/acme/" + app);
    assertThat(commit.ref()).isEqualTo("refs/heads/main");
    assertThat(commit.author().name()).isEqualTo("GitLab dev user");
    assertThat(commit.author().email()).isEqualTo("gitlabdev@dv6700.(none)");
    assertThat(commit.message()).isEqualTo("Fix a race in the cart service\n");
    assertThat(commit.actor()).isEqualTo("jsmith");
  }

  @Test
  void gitlabTagPushUsesThePusherAndTagMessage() {
    String app = Webhooks.unique("gltag");
    String token = "gl-token-" + app;
    Webhooks.register(app, "gitlab", "git@gitlab.example.com:acme/" + app + ".git", token);
    String body = Webhooks.payload("gitlab-tag-push.json", "acme/" + app);

    Response response =
        Webhooks.post(
            "gitlab", body, Webhooks.gitlab("Tag Push Hook", UUID.randomUUID().toString(), token));

    response.then().statusCode(202);
    CommitReceived commit =
        only(app, response.path("runId"), "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7");
    assertThat(commit.ref()).isEqualTo("refs/tags/v1.0.0");
    assertThat(commit.author().name()).isEqualTo("John Smith");
    assertThat(commit.message()).isEqualTo("Tag message");
  }

  @Test
  void bitbucketPushBecomesOneCommitReceived() {
    String app = Webhooks.unique("bb");
    String secret = "bb-secret-" + app;
    Webhooks.register(app, "bitbucket", "https://bitbucket.org/acme/" + app + ".git", secret);
    String body = Webhooks.payload("bitbucket-push.json", "acme/" + app);

    Response response =
        Webhooks.post(
            "bitbucket",
            body,
            Webhooks.bitbucket("repo:push", "{" + UUID.randomUUID() + "}", secret, body));

    response.then().statusCode(202);
    CommitReceived commit =
        only(app, response.path("runId"), "1e65c05c1d5171631d92438a13901ca7dae9618c");
    assertThat(commit.provider()).isEqualTo("bitbucket");
    assertThat(commit.repoUrl()).isEqualTo("https://bitbucket.org/acme/" + app);
    assertThat(commit.ref()).isEqualTo("refs/heads/main");
    assertThat(commit.author().name()).isEqualTo("Alan Turing");
    assertThat(commit.author().email()).isEqualTo("alan@example.com");
    assertThat(commit.message()).isEqualTo("Handle empty baskets at checkout\n");
    assertThat(commit.actor()).isEqualTo("aturing");
  }

  @Test
  void giteaPushBecomesOneCommitReceived() {
    String app = Webhooks.unique("gt");
    String secret = "gt-secret-" + app;
    Webhooks.register(app, "gitea", "https://gitea.example.com/acme/" + app, secret);
    String body = Webhooks.payload("gitea-push.json", "acme/" + app);

    Response response =
        Webhooks.post(
            "gitea", body, Webhooks.gitea("push", UUID.randomUUID().toString(), secret, body));

    response.then().statusCode(202);
    CommitReceived commit =
        only(app, response.path("runId"), "bffeb74224043ba2feb48d137756c8a9331c449a");
    assertThat(commit.provider()).isEqualTo("gitea");
    assertThat(commit.repoUrl()).isEqualTo("https://gitea.example.com/acme/" + app);
    assertThat(commit.ref()).isEqualTo("refs/heads/develop");
    assertThat(commit.author().name()).isEqualTo("Gitea");
    assertThat(commit.author().email()).isEqualTo("someone@gitea.io");
    assertThat(commit.message()).isEqualTo("Webhooks Yay!\n");
    assertThat(commit.actor()).isEqualTo("linus");
  }

  @Test
  void everyApplicationFollowingOneRepositoryGetsItsOwnRun() {
    String repo = Webhooks.unique("shared");
    String secret = "shared-secret-" + repo;
    List<String> apps = List.of(repo + "-api", repo + "-web", repo + "-worker");
    apps.forEach(
        app -> Webhooks.register(app, "gitlab", "https://gitlab.example.com/acme/" + repo, secret));
    String body = Webhooks.payload("gitlab-push.json", "acme/" + repo);

    Response response =
        Webhooks.post(
            "gitlab", body, Webhooks.gitlab("Push Hook", UUID.randomUUID().toString(), secret));

    response.then().statusCode(202);
    assertThat(response.<List<String>>path("runs.application"))
        .containsExactlyInAnyOrderElementsOf(apps);
    assertThat(response.<List<String>>path("runs.runId")).doesNotHaveDuplicates().hasSize(3);
    for (String app : apps) {
      List<ConsumerRecord<String, byte[]>> records = recordsOf(app);
      assertThat(records).hasSize(1);
      assertThat(header(records.get(0), "ce_runid"))
          .isIn(response.<List<String>>path("runs.runId"));
    }
  }

  @Test
  void bitbucketPushMovingSeveralRefsStartsOneRunPerRef() {
    String app = Webhooks.unique("bbmulti");
    String secret = "bb-secret-" + app;
    Webhooks.register(app, "bitbucket", "https://bitbucket.org/acme/" + app, secret);
    ObjectNode push = (ObjectNode) readTree(Webhooks.payload("bitbucket-push.json", "acme/" + app));
    ArrayNode changes = (ArrayNode) push.get("push").get("changes");
    ObjectNode release = changes.get(0).deepCopy();
    ((ObjectNode) release.get("new")).put("name", "release/2.0");
    ((ObjectNode) release.get("new").get("target"))
        .put("hash", "2f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6");
    ObjectNode tag = changes.get(0).deepCopy();
    ((ObjectNode) tag.get("new")).put("name", "v2.0.0").put("type", "tag");
    ObjectNode deleted = changes.get(0).deepCopy();
    deleted.putNull("new");
    ((ObjectNode) deleted.get("old")).put("name", "old-feature");
    changes.add(release).add(tag).add(deleted);
    String body = push.toString();

    Response response =
        Webhooks.post(
            "bitbucket",
            body,
            Webhooks.bitbucket("repo:push", "{" + UUID.randomUUID() + "}", secret, body));

    response.then().statusCode(202);
    List<CommitReceived> commits =
        recordsOf(app).stream()
            .map(r -> EventJson.readPayload(r.value(), CommitReceived.class))
            .toList();
    assertThat(commits)
        .extracting(c -> c.ref() + "@" + c.commitSha().substring(0, 7))
        .containsExactlyInAnyOrder(
            "refs/heads/main@1e65c05",
            "refs/heads/release/2.0@2f0e1d2",
            "refs/tags/v2.0.0@1e65c05");
    assertThat(commits.stream().map(CommitReceived::deliveryId).distinct()).hasSize(1);
    assertThat(response.<List<String>>path("runs.runId")).hasSize(3).doesNotHaveDuplicates();
  }

  @Test
  void shellMetacharactersAndUnicodePassThroughAsData() {
    String app = Webhooks.unique("meta");
    String secret = "meta-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String branch = "feature/$(touch${IFS}pwned);echo-`id`|&>x'\"ünïcødé-✓-🚀";
    String message =
        "Fix $(rm -rf /) `reboot`; echo $HOME && exit 1 | tee /etc/passwd\n\t\"quoted\" 'single' \\ 日本語 ✓ 🚀";
    var tree = (ObjectNode) readTree(Webhooks.payload("github-push.json", "acme/" + app));
    tree.put("ref", "refs/heads/" + branch);
    ((ObjectNode) tree.get("head_commit")).put("message", message);
    String body = tree.toString();

    Response response =
        Webhooks.post(
            "github", body, Webhooks.github("push", UUID.randomUUID().toString(), secret, body));

    response.then().statusCode(202);
    CommitReceived commit =
        only(app, response.path("runId"), "9f3c1e2d4b5a69788716253443526170819a0b1c");
    assertThat(commit.ref()).isEqualTo("refs/heads/" + branch);
    assertThat(commit.shortRef()).isEqualTo(branch);
    assertThat(commit.message()).isEqualTo(message);
  }

  @Test
  void metricsCountWebhooksAndPublishLatency() {
    String app = Webhooks.unique("metrics");
    String secret = "metrics-secret-" + app;
    Webhooks.register(app, "gitea", "https://gitea.example.com/acme/" + app, secret);
    String body = Webhooks.payload("gitea-push.json", "acme/" + app);
    Webhooks.post("gitea", body, Webhooks.gitea("push", UUID.randomUUID().toString(), secret, body))
        .then()
        .statusCode(202);
    Webhooks.post("gitea", body, Map.of("X-Gitea-Event", "push", "X-Gitea-Signature", "00"))
        .then()
        .statusCode(401);

    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "slipway_webhooks_total{outcome=\"accepted\",provider=\"gitea\",reason=\"none\"}"))
        .body(
            containsString(
                "slipway_webhooks_total{outcome=\"rejected\",provider=\"gitea\",reason=\"invalid-signature\"}"))
        .body(containsString("slipway_webhook_signature_checks_total{provider=\"gitea\"}"));
    recordsOf(app);
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("slipway_outbox_publish_seconds_bucket"))
        .body(containsString("slipway_outbox_published_total"));
  }

  private static CommitReceived only(String app, String runId, String sha) {
    List<ConsumerRecord<String, byte[]>> records = recordsOf(app);
    assertThat(records).hasSize(1);
    ConsumerRecord<String, byte[]> record = records.get(0);
    assertThat(header(record, "ce_type")).isEqualTo("dev.slipway.commit.received.v1");
    assertThat(header(record, "ce_source")).isEqualTo("/slipway/trigger-service");
    assertThat(header(record, "ce_subject")).isEqualTo(app);
    assertThat(header(record, "ce_runid")).isEqualTo(runId);
    assertThat(header(record, "ce_commitsha")).isEqualTo(sha);
    CommitReceived commit = EventJson.readPayload(record.value(), CommitReceived.class);
    assertThat(commit.commitSha()).isEqualTo(sha);
    return commit;
  }

  private static JsonNode readTree(String json) {
    try {
      return EventJson.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

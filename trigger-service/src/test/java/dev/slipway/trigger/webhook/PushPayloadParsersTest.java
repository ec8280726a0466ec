package dev.slipway.trigger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.trigger.Webhooks;
import dev.slipway.trigger.problem.InvalidInputException;
import dev.slipway.trigger.webhook.WebhookEvent.Push;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each host's example payloads read into the same push model. */
class PushPayloadParsersTest {

  @Test
  void githubPushGivesHeadCommitAndRepositoryUrls() {
    Push push = push(new GitHubPushParser(), Map.of("X-GitHub-Event", "push"), "github-push.json");
    assertThat(push.repositoryUrls())
        .contains("https://github.com/acme/shop", "git@github.com:acme/shop.git");
    assertThat(push.updates())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.ref()).isEqualTo("refs/heads/main");
              assertThat(u.head().sha()).isEqualTo("9f3c1e2d4b5a69788716253443526170819a0b1c");
            });
  }

  @Test
  void githubDeletionHasNoHead() {
    Push push =
        push(
            new GitHubPushParser(), Map.of("X-GitHub-Event", "push"), "github-branch-deleted.json");
    assertThat(push.updates()).singleElement().satisfies(u -> assertThat(u.deleted()).isTrue());
  }

  @Test
  void githubDeliveryKeyIsScopedByHook() {
    var key =
        new GitHubPushParser()
            .deliveryKey(Map.of("X-GitHub-Delivery", "72d3162e", "X-GitHub-Hook-ID", "42")::get);
    assertThat(key).contains("42:72d3162e");
  }

  @Test
  void gitlabPushTakesTheCheckoutShaCommit() {
    Push push =
        push(new GitLabPushParser(), Map.of("X-Gitlab-Event", "Push Hook"), "gitlab-push.json");
    assertThat(push.updates().get(0).head().author().name()).isEqualTo("GitLab dev user");
  }

  @Test
  void bitbucketClosedBranchIsADeletion() {
    String json =
        Webhooks.payload("bitbucket-push.json", "acme/shop")
            .replaceFirst("\"new\": \\{", "\"new\": null, \"unused\": {");
    WebhookEvent event =
        new BitbucketPushParser()
            .parse(Map.of("X-Event-Key", "repo:push")::get, json.getBytes(StandardCharsets.UTF_8));
    assertThat(((Push) event).updates())
        .singleElement()
        .satisfies(u -> assertThat(u.deleted()).isTrue());
  }

  @Test
  void giteaPushReadsHeadCommit() {
    Push push = push(new GiteaPushParser(), Map.of("X-Gitea-Event", "push"), "gitea-push.json");
    assertThat(push.actor()).isEqualTo("linus");
    assertThat(push.updates().get(0).head().message()).isEqualTo("Webhooks Yay!\n");
  }

  @Test
  void wrongTypeOfAFieldIsNamed() {
    byte[] body = "{\"ref\": 42, \"after\": \"abc\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(
            () -> new GiteaPushParser().parse(Map.of("X-Gitea-Event", "push")::get, body))
        .isInstanceOf(InvalidInputException.class)
        .extracting("field")
        .isEqualTo("ref");
  }

  private static Push push(PushPayloadParser parser, Map<String, String> headers, String file) {
    byte[] body = Webhooks.payload(file, "acme/shop").getBytes(StandardCharsets.UTF_8);
    WebhookEvent event = parser.parse(headers::get, body);
    assertThat(event).isInstanceOf(Push.class);
    return (Push) event;
  }
}

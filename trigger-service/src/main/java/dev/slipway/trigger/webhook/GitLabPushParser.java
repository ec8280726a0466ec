package dev.slipway.trigger.webhook;

import static dev.slipway.trigger.webhook.JsonPayload.optionalText;
import static dev.slipway.trigger.webhook.JsonPayload.text;
import static dev.slipway.trigger.webhook.JsonPayload.textAllowingEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.webhook.WebhookEvent.Commit;
import dev.slipway.trigger.webhook.WebhookEvent.RefUpdate;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * GitLab's {@code Push Hook} and {@code Tag Push Hook} ({@code X-Gitlab-Event}). The head commit is
 * {@code checkout_sha}; its author and message come from the matching entry of {@code commits}, or,
 * for a tag push that lists no commits, from the pusher and the tag message. A redelivery keeps its
 * {@code Idempotency-Key} (GitLab 17.4+), else its {@code X-Gitlab-Event-UUID}.
 */
@ApplicationScoped
public class GitLabPushParser implements PushPayloadParser {

  static final String EVENT = "X-Gitlab-Event";
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String EVENT_UUID = "X-Gitlab-Event-UUID";

  private static final List<String> REPOSITORY_PATHS =
      List.of(
          "project.web_url",
          "project.git_http_url",
          "project.git_ssh_url",
          "repository.homepage",
          "repository.git_http_url",
          "repository.git_ssh_url");

  @Override
  public GitProvider provider() {
    return GitProvider.GITLAB;
  }

  @Override
  public String deliveryHeader() {
    return IDEMPOTENCY_KEY + " or " + EVENT_UUID;
  }

  @Override
  public Optional<String> deliveryKey(UnaryOperator<String> headers) {
    return Stream.of(IDEMPOTENCY_KEY, EVENT_UUID)
        .map(headers)
        .filter(value -> value != null && !value.isBlank())
        .map(String::trim)
        .findFirst();
  }

  @Override
  public Kind kind(UnaryOperator<String> headers) {
    String event = headers.apply(EVENT);
    return "Push Hook".equals(event) || "Tag Push Hook".equals(event) ? Kind.PUSH : Kind.OTHER;
  }

  @Override
  public List<String> repositoryPaths() {
    return REPOSITORY_PATHS;
  }

  @Override
  public WebhookEvent parse(UnaryOperator<String> headers, JsonNode push) {
    if (kind(headers) != Kind.PUSH) {
      return new WebhookEvent.Ignored(
          "event type '" + headers.apply(EVENT) + "' does not start runs");
    }
    String ref = JsonPayload.ref(push, "ref");
    String after = text(push, "after");
    List<String> urls = repositoryUrls(push);
    String actor =
        optionalText(push, "user_username")
            .or(() -> optionalText(push, "user_name"))
            .orElse("unknown");
    Optional<String> checkout = optionalText(push, "checkout_sha");
    if (JsonPayload.isZeroSha(after) || checkout.isEmpty()) {
      return new WebhookEvent.Push(
          urls, actor, List.of(new RefUpdate(ref, null)), contributors(push));
    }
    String sha = JsonPayload.checkedSha(checkout.get(), "checkout_sha");
    Commit head = headCommit(push, sha);
    return new WebhookEvent.Push(
        urls, actor, List.of(new RefUpdate(ref, head)), contributors(push));
  }

  private static Commit headCommit(JsonNode push, String sha) {
    JsonNode commits = JsonPayload.optionalArray(push, "commits");
    for (int i = 0; i < commits.size(); i++) {
      String at = "commits[" + i + "]";
      JsonPayload.object(push, at);
      if (sha.equalsIgnoreCase(optionalText(push, at + ".id").orElse(""))) {
        return new Commit(
            sha,
            JsonPayload.person(
                at + ".author.name",
                optionalText(push, at + ".author.email").orElse(null),
                null,
                optionalText(push, at + ".author.name").orElse(null)),
            textAllowingEmpty(push, at + ".message"));
      }
    }
    // A tag push lists no commits: the tag's commit is named by checkout_sha only.
    return new Commit(
        sha,
        JsonPayload.person(
            "user_name",
            optionalText(push, "user_email").orElse(null),
            optionalText(push, "user_username").orElse(null),
            optionalText(push, "user_name").orElse(null),
            optionalText(push, "user_username").orElse(null)),
        optionalText(push, "message").orElse(""));
  }

  /** The pusher (with GitLab's user id), then each listed commit's author (GitLab lists 20). */
  static List<dev.slipway.events.Person> contributors(JsonNode push) {
    return new Contributors(push)
        .addAt("user_name", "user_email", "user_username", "user_id")
        .addEach("commits", "author")
        .list();
  }
}

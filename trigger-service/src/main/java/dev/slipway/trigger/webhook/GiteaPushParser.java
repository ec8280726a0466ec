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

/**
 * Gitea's {@code push} webhook ({@code X-Gitea-Event}), for branches and tags alike. The head
 * commit is {@code head_commit} (recent Gitea) or the entry of {@code commits} whose id is {@code
 * after}; a tag push of an existing commit lists none, and then the pusher stands in as author. A
 * redelivery keeps its {@code X-Gitea-Delivery}.
 */
@ApplicationScoped
public class GiteaPushParser implements PushPayloadParser {

  static final String EVENT = "X-Gitea-Event";
  static final String DELIVERY = "X-Gitea-Delivery";

  private static final List<String> REPOSITORY_PATHS =
      List.of("repository.html_url", "repository.clone_url", "repository.ssh_url");

  @Override
  public GitProvider provider() {
    return GitProvider.GITEA;
  }

  @Override
  public String deliveryHeader() {
    return DELIVERY;
  }

  @Override
  public Optional<String> deliveryKey(UnaryOperator<String> headers) {
    return Optional.ofNullable(headers.apply(DELIVERY)).map(String::trim).filter(s -> !s.isEmpty());
  }

  @Override
  public Kind kind(UnaryOperator<String> headers) {
    return "push".equals(headers.apply(EVENT)) ? Kind.PUSH : Kind.OTHER;
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
        optionalText(push, "pusher.login")
            .or(() -> optionalText(push, "pusher.username"))
            .or(() -> optionalText(push, "sender.login"))
            .orElse("unknown");
    if (JsonPayload.isZeroSha(after)) {
      return new WebhookEvent.Push(
          urls, actor, List.of(new RefUpdate(ref, null)), contributors(push));
    }
    String sha = JsonPayload.checkedSha(after, "after");
    return new WebhookEvent.Push(
        urls, actor, List.of(new RefUpdate(ref, head(push, sha))), contributors(push));
  }

  private static Commit head(JsonNode push, String after) {
    String at = null;
    if (JsonPayload.at(push, "head_commit").isPresent()) {
      JsonPayload.object(push, "head_commit");
      at = "head_commit";
    } else {
      JsonNode commits = JsonPayload.optionalArray(push, "commits");
      for (int i = 0; i < commits.size(); i++) {
        String candidate = "commits[" + i + "]";
        JsonPayload.object(push, candidate);
        if (after.equalsIgnoreCase(optionalText(push, candidate + ".id").orElse(""))) {
          at = candidate;
        }
      }
    }
    if (at == null) {
      return new Commit(
          after,
          JsonPayload.person(
              "pusher.full_name",
              optionalText(push, "pusher.email").orElse(null),
              optionalText(push, "pusher.login").orElse(null),
              optionalText(push, "pusher.full_name").orElse(null),
              optionalText(push, "pusher.login").orElse(null)),
          "");
    }
    return new Commit(
        JsonPayload.sha(push, at + ".id"),
        JsonPayload.person(
            at + ".author.name",
            optionalText(push, at + ".author.email").orElse(null),
            optionalText(push, at + ".author.username").orElse(null),
            optionalText(push, at + ".author.name").orElse(null),
            optionalText(push, at + ".author.username").orElse(null)),
        textAllowingEmpty(push, at + ".message"));
  }

  /** The pusher (with Gitea's user id), then each listed commit's author and committer. */
  static List<dev.slipway.events.Person> contributors(JsonNode push) {
    return new Contributors(push)
        .addAt("pusher.full_name", "pusher.email", "pusher.login", "pusher.id")
        .addAt("pusher.full_name", "pusher.email", "pusher.username", "pusher.id")
        .addEach("commits", "author", "committer")
        .list();
  }
}

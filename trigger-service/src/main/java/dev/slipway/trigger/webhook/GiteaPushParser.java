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
 * Gitea's {@code push} webhook ({@code X-Gitea-Event}), for branches and tags alike. The head
 * commit is {@code head_commit} (recent Gitea) or the entry of {@code commits} whose id is {@code
 * after}; a tag push of an existing commit lists none, and then the pusher stands in as author. A
 * redelivery keeps its {@code X-Gitea-Delivery}.
 */
@ApplicationScoped
public class GiteaPushParser implements PushPayloadParser {

  static final String EVENT = "X-Gitea-Event";
  static final String DELIVERY = "X-Gitea-Delivery";

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
  public WebhookEvent parse(UnaryOperator<String> headers, byte[] body) {
    String event = headers.apply(EVENT);
    if (!"push".equals(event)) {
      return new WebhookEvent.Ignored("event type '" + event + "' does not start runs");
    }
    JsonNode push = JsonPayload.parse(body);
    String ref = text(push, "ref");
    String after = text(push, "after");
    List<String> urls =
        Stream.of("repository.html_url", "repository.clone_url", "repository.ssh_url")
            .map(path -> optionalText(push, path))
            .flatMap(Optional::stream)
            .toList();
    if (urls.isEmpty()) {
      throw JsonPayload.missing("repository.html_url");
    }
    String actor =
        optionalText(push, "pusher.login")
            .or(() -> optionalText(push, "pusher.username"))
            .or(() -> optionalText(push, "sender.login"))
            .orElse("unknown");
    if (JsonPayload.isZeroSha(after)) {
      return new WebhookEvent.Push(urls, actor, List.of(new RefUpdate(ref, null)));
    }
    return new WebhookEvent.Push(urls, actor, List.of(new RefUpdate(ref, head(push, after))));
  }

  private static Commit head(JsonNode push, String after) {
    JsonNode head = push.get("head_commit");
    String at = "head_commit";
    if (head == null || !head.isObject()) {
      head = null;
      JsonNode commits = push.path("commits");
      for (int i = 0; i < commits.size(); i++) {
        if (after.equals(commits.get(i).path("id").asText())) {
          head = commits.get(i);
          at = "commits[" + i + "]";
        }
      }
    }
    if (head == null) {
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
        text(head, "id"),
        JsonPayload.person(
            at + ".author.name",
            optionalText(head, "author.email").orElse(null),
            optionalText(head, "author.username").orElse(null),
            optionalText(head, "author.name").orElse(null),
            optionalText(head, "author.username").orElse(null)),
        textAllowingEmpty(head, "message"));
  }
}

package dev.slipway.trigger.webhook;

import static dev.slipway.trigger.webhook.JsonPayload.isZeroSha;
import static dev.slipway.trigger.webhook.JsonPayload.optionalText;
import static dev.slipway.trigger.webhook.JsonPayload.text;
import static dev.slipway.trigger.webhook.JsonPayload.textAllowingEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.webhook.WebhookEvent.Commit;
import dev.slipway.trigger.webhook.WebhookEvent.RefUpdate;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * GitHub's {@code push} and {@code ping} webhooks ({@code X-GitHub-Event}); a redelivery keeps its
 * {@code X-GitHub-Delivery} id, scoped by {@code X-GitHub-Hook-ID}.
 */
@ApplicationScoped
public class GitHubPushParser implements PushPayloadParser {

  static final String EVENT = "X-GitHub-Event";
  static final String DELIVERY = "X-GitHub-Delivery";
  static final String HOOK_ID = "X-GitHub-Hook-ID";

  private static final List<String> REPOSITORY_PATHS =
      List.of("repository.html_url", "repository.clone_url", "repository.ssh_url");

  @Override
  public GitProvider provider() {
    return GitProvider.GITHUB;
  }

  @Override
  public String deliveryHeader() {
    return DELIVERY;
  }

  @Override
  public Optional<String> deliveryKey(UnaryOperator<String> headers) {
    String delivery = headers.apply(DELIVERY);
    if (delivery == null || delivery.isBlank()) {
      return Optional.empty();
    }
    String hook = headers.apply(HOOK_ID);
    return Optional.of(
        (hook == null || hook.isBlank() ? "-" : hook.trim()) + ":" + delivery.trim());
  }

  @Override
  public Kind kind(UnaryOperator<String> headers) {
    String event = headers.apply(EVENT);
    if (event == null || event.isBlank()) {
      throw new InvalidInputException("Header " + EVENT + " is required.", EVENT);
    }
    return switch (event.trim()) {
      case "push" -> Kind.PUSH;
      case "ping" -> Kind.PING;
      default -> Kind.OTHER;
    };
  }

  @Override
  public List<String> repositoryPaths() {
    return REPOSITORY_PATHS;
  }

  @Override
  public WebhookEvent parse(UnaryOperator<String> headers, JsonNode push) {
    Kind kind = kind(headers);
    if (kind == Kind.PING) {
      return new WebhookEvent.Ping();
    }
    if (kind == Kind.OTHER) {
      return new WebhookEvent.Ignored(
          "event type '" + headers.apply(EVENT).trim() + "' does not start runs");
    }
    String ref = JsonPayload.ref(push, "ref");
    String after = text(push, "after");
    List<String> urls = repositoryUrls(push);
    String actor =
        optionalText(push, "pusher.name")
            .or(() -> optionalText(push, "sender.login"))
            .orElse("unknown");
    boolean deleted = JsonPayload.bool(push, "deleted", false) || isZeroSha(after);
    if (deleted) {
      return new WebhookEvent.Push(
          urls, actor, List.of(new RefUpdate(ref, null)), contributors(push));
    }
    JsonPayload.object(push, "head_commit");
    Commit commit =
        new Commit(
            JsonPayload.sha(push, "head_commit.id"),
            JsonPayload.person(
                "head_commit.author.name",
                optionalText(push, "head_commit.author.email").orElse(null),
                optionalText(push, "head_commit.author.username").orElse(null),
                optionalText(push, "head_commit.author.name").orElse(null),
                optionalText(push, "head_commit.author.username").orElse(null)),
            textAllowingEmpty(push, "head_commit.message"));
    return new WebhookEvent.Push(
        urls, actor, List.of(new RefUpdate(ref, commit)), contributors(push));
  }

  /**
   * The pusher ({@code sender} carries the account id; {@code pusher.name} is the login), then the
   * author and committer of each listed commit (GitHub lists the merged commits of a pull request
   * in the push of its merge, with {@code distinct: false}).
   */
  static List<dev.slipway.events.Person> contributors(JsonNode push) {
    boolean sender = JsonPayload.at(push, "sender.login").isPresent();
    return new Contributors(push)
        .addAt("pusher.name", "pusher.email", sender ? "sender.login" : "pusher.name", "sender.id")
        .addEach("commits", "author", "committer")
        .addAt(
            "head_commit.author.name",
            "head_commit.author.email",
            "head_commit.author.username",
            null)
        .list();
  }
}

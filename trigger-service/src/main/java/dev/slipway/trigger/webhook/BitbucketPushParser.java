package dev.slipway.trigger.webhook;

import static dev.slipway.trigger.webhook.JsonPayload.optionalText;
import static dev.slipway.trigger.webhook.JsonPayload.text;
import static dev.slipway.trigger.webhook.JsonPayload.textAllowingEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.Person;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.problem.InvalidInputException;
import dev.slipway.trigger.webhook.WebhookEvent.Commit;
import dev.slipway.trigger.webhook.WebhookEvent.RefUpdate;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bitbucket Cloud's {@code repo:push} ({@code X-Event-Key}). One push can move several refs, one
 * entry of {@code push.changes} each; a change whose {@code new} is null deleted its ref. A
 * redelivery keeps its {@code X-Request-UUID}.
 */
@ApplicationScoped
public class BitbucketPushParser implements PushPayloadParser {

  static final String EVENT = "X-Event-Key";
  static final String DELIVERY = "X-Request-UUID";

  // "Ada Lovelace <ada@example.com>", the form Git itself writes.
  private static final Pattern RAW_AUTHOR = Pattern.compile("^\\s*(.*?)\\s*<([^>]*)>\\s*$");

  @Override
  public GitProvider provider() {
    return GitProvider.BITBUCKET;
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
    if (!"repo:push".equals(event)) {
      return new WebhookEvent.Ignored("event type '" + event + "' does not start runs");
    }
    JsonNode payload = JsonPayload.parse(body);
    List<String> urls = new ArrayList<>();
    optionalText(payload, "repository.links.html.href").ifPresent(urls::add);
    optionalText(payload, "repository.full_name")
        .ifPresent(name -> urls.add("https://bitbucket.org/" + name));
    if (urls.isEmpty()) {
      throw JsonPayload.missing("repository.links.html.href");
    }
    String actor =
        optionalText(payload, "actor.nickname")
            .or(() -> optionalText(payload, "actor.display_name"))
            .orElse("unknown");
    JsonNode changes = JsonPayload.array(payload, "push.changes");
    if (changes.isEmpty()) {
      throw new InvalidInputException("Field 'push.changes' is empty.", "push.changes");
    }
    List<RefUpdate> updates = new ArrayList<>();
    for (int i = 0; i < changes.size(); i++) {
      updates.add(update(changes.get(i), "push.changes[" + i + "]"));
    }
    return new WebhookEvent.Push(urls, actor, updates);
  }

  private static RefUpdate update(JsonNode change, String at) {
    JsonNode next = change.get("new");
    if (next == null || next.isNull()) {
      JsonNode old = JsonPayload.object(change, "old");
      return new RefUpdate(ref(old, at + ".old"), null);
    }
    String ref = ref(next, at + ".new");
    JsonNode target = JsonPayload.object(next, "target");
    String sha = text(target, "hash");
    return new RefUpdate(
        ref,
        new Commit(sha, author(target, at + ".new.target"), textAllowingEmpty(target, "message")));
  }

  private static String ref(JsonNode side, String at) {
    String type = text(side, "type");
    String name = text(side, "name");
    return switch (type) {
      case "branch", "named_branch" -> "refs/heads/" + name;
      case "tag", "annotated_tag" -> "refs/tags/" + name;
      default ->
          throw new InvalidInputException(
              "Field '" + at + ".type' is '" + type + "', expected branch or tag.", at + ".type");
    };
  }

  private static Person author(JsonNode target, String at) {
    String raw = optionalText(target, "author.raw").orElse(null);
    String name = null;
    String email = null;
    if (raw != null) {
      Matcher matcher = RAW_AUTHOR.matcher(raw);
      if (matcher.matches()) {
        name = matcher.group(1);
        email = matcher.group(2);
      } else {
        name = raw;
      }
    }
    return JsonPayload.person(
        at + ".author.raw",
        email,
        optionalText(target, "author.user.nickname").orElse(null),
        name,
        optionalText(target, "author.user.display_name").orElse(null));
  }
}

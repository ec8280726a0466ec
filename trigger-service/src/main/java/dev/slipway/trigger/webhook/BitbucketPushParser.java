package dev.slipway.trigger.webhook;

import static dev.slipway.trigger.webhook.JsonPayload.optionalText;
import static dev.slipway.trigger.webhook.JsonPayload.text;
import static dev.slipway.trigger.webhook.JsonPayload.textAllowingEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.Person;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.webhook.WebhookEvent.Commit;
import dev.slipway.trigger.webhook.WebhookEvent.RefUpdate;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
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

  /** Most ref changes one push may carry (Bitbucket itself sends at most a handful). */
  static final int MAX_CHANGES = 50;

  private static final int MAX_RAW_AUTHOR = 2048;

  // "Ada Lovelace <ada@example.com>", the form Git itself writes.
  private static final Pattern RAW_AUTHOR = Pattern.compile("^\\s*(.*?)\\s*<([^>]*)>\\s*$");

  private static final String HTML_URL = "repository.links.html.href";
  private static final String FULL_NAME = "repository.full_name";

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
  public Kind kind(UnaryOperator<String> headers) {
    return "repo:push".equals(headers.apply(EVENT)) ? Kind.PUSH : Kind.OTHER;
  }

  @Override
  public List<String> repositoryPaths() {
    return List.of(HTML_URL, FULL_NAME);
  }

  @Override
  public List<String> repositoryUrls(Function<String, Optional<String>> textAt) {
    List<String> urls = new ArrayList<>();
    textAt.apply(HTML_URL).ifPresent(urls::add);
    textAt.apply(FULL_NAME).ifPresent(name -> urls.add("https://bitbucket.org/" + name));
    if (urls.isEmpty()) {
      throw JsonPayload.missing(HTML_URL);
    }
    return urls;
  }

  @Override
  public WebhookEvent parse(UnaryOperator<String> headers, JsonNode payload) {
    if (kind(headers) != Kind.PUSH) {
      return new WebhookEvent.Ignored(
          "event type '" + headers.apply(EVENT) + "' does not start runs");
    }
    List<String> urls = repositoryUrls(payload);
    String actor =
        optionalText(payload, "actor.nickname")
            .or(() -> optionalText(payload, "actor.display_name"))
            .orElse("unknown");
    JsonNode changes = JsonPayload.array(payload, "push.changes");
    if (changes.isEmpty() || changes.size() > MAX_CHANGES) {
      throw new InvalidInputException(
          "Field 'push.changes' must list 1 to " + MAX_CHANGES + " changes.", "push.changes");
    }
    List<RefUpdate> updates = new ArrayList<>();
    for (int i = 0; i < changes.size(); i++) {
      updates.add(update(payload, "push.changes[" + i + "]"));
    }
    return new WebhookEvent.Push(urls, actor, updates, contributors(payload, changes.size()));
  }

  private static RefUpdate update(JsonNode payload, String at) {
    JsonPayload.object(payload, at);
    if (JsonPayload.at(payload, at + ".new").isEmpty()) {
      return new RefUpdate(ref(payload, at + ".old"), null);
    }
    String ref = ref(payload, at + ".new");
    String target = at + ".new.target";
    JsonPayload.object(payload, target);
    return new RefUpdate(
        ref,
        new Commit(
            JsonPayload.sha(payload, target + ".hash"),
            author(payload, target),
            textAllowingEmpty(payload, target + ".message")));
  }

  private static String ref(JsonNode payload, String at) {
    JsonPayload.object(payload, at);
    String type = text(payload, at + ".type");
    String name = JsonPayload.refName(payload, at + ".name");
    return switch (type) {
      case "branch", "named_branch" -> "refs/heads/" + name;
      case "tag", "annotated_tag" -> "refs/tags/" + name;
      default ->
          throw new InvalidInputException(
              "Field '" + at + ".type' is '" + type + "', expected branch or tag.", at + ".type");
    };
  }

  private static Person author(JsonNode payload, String target) {
    String raw = optionalText(payload, target + ".author.raw").orElse(null);
    String name = null;
    String email = null;
    // Only a plausible length goes through the pattern: a huge run of blanks would make it slow.
    if (raw != null && raw.length() <= MAX_RAW_AUTHOR) {
      Matcher matcher = RAW_AUTHOR.matcher(raw);
      if (matcher.matches()) {
        name = matcher.group(1);
        email = matcher.group(2);
      } else {
        name = raw;
      }
    } else {
      name = raw;
    }
    return JsonPayload.person(
        target + ".author.raw",
        email,
        optionalText(payload, target + ".author.user.nickname").orElse(null),
        name,
        optionalText(payload, target + ".author.user.display_name").orElse(null));
  }

  /**
   * The actor (Bitbucket's account id), then each listed commit's author: its linked account when
   * Bitbucket knows one, else the name and e-mail of its {@code raw} form.
   */
  static List<Person> contributors(JsonNode payload, int changes) {
    Contributors people = new Contributors(payload);
    people.addAt("actor.display_name", null, "actor.nickname", "actor.account_id");
    for (int c = 0; c < changes; c++) {
      JsonNode commits =
          JsonPayload.at(payload, "push.changes[" + c + "].commits")
              .filter(JsonNode::isArray)
              .orElse(null);
      for (int i = 0; commits != null && i < commits.size(); i++) {
        String at = "push.changes[" + c + "].commits[" + i + "].author";
        people.addAt(
            at + ".user.display_name", null, at + ".user.nickname", at + ".user.account_id");
        String raw =
            JsonPayload.at(payload, at + ".raw")
                .filter(JsonNode::isTextual)
                .map(JsonNode::asText)
                .orElse(null);
        if (raw != null && raw.length() <= MAX_RAW_AUTHOR) {
          Matcher matcher = RAW_AUTHOR.matcher(raw);
          if (matcher.matches()) {
            people.add(matcher.group(1).strip(), matcher.group(2).strip(), null, null);
          }
        }
      }
    }
    return people.list();
  }
}

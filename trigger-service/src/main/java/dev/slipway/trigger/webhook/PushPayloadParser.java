package dev.slipway.trigger.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.trigger.GitProvider;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Reads one Git host's webhook: its event type, delivery id and push payload. */
public interface PushPayloadParser {

  /** What a webhook's headers say it is, before its body is looked at. */
  enum Kind {
    PUSH,
    PING,
    OTHER
  }

  /** The host this parser reads. */
  GitProvider provider();

  /** The header(s) the delivery id is read from, for messages. */
  String deliveryHeader();

  /**
   * The id that stays the same when the host redelivers this webhook, from {@code headers} (a
   * case-insensitive header lookup returning null when absent).
   */
  Optional<String> deliveryKey(UnaryOperator<String> headers);

  /** The kind of event {@code headers} announce. */
  Kind kind(UnaryOperator<String> headers);

  /**
   * Dotted paths of the fields that name the repository. The host-wide webhook URL reads them, and
   * only them, before the payload is authenticated, to know whose secrets to check it with.
   */
  List<String> repositoryPaths();

  /**
   * Every URL the payload gives for its repository (web, https, ssh), from {@code textAt}, the
   * non-blank text at one of {@link #repositoryPaths()}; a 400 when there is none. By default each
   * of those paths holds a URL.
   */
  default List<String> repositoryUrls(Function<String, Optional<String>> textAt) {
    List<String> urls = repositoryPaths().stream().map(textAt).flatMap(Optional::stream).toList();
    if (urls.isEmpty()) {
      throw JsonPayload.missing(repositoryPaths().get(0));
    }
    return urls;
  }

  /** Every URL {@code payload} gives for its repository. */
  default List<String> repositoryUrls(JsonNode payload) {
    return repositoryUrls(path -> JsonPayload.optionalText(payload, path));
  }

  /**
   * What the verified {@code payload} says; an {@code InvalidInputException} naming the field when
   * it cannot tell.
   */
  WebhookEvent parse(UnaryOperator<String> headers, JsonNode payload);
}

package dev.slipway.trigger.webhook;

import dev.slipway.trigger.GitProvider;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Reads one Git host's webhook: its event type, delivery id and push payload. */
public interface PushPayloadParser {

  /** The host this parser reads. */
  GitProvider provider();

  /** The header(s) the delivery id is read from, for messages. */
  String deliveryHeader();

  /**
   * The id that stays the same when the host redelivers this webhook, from {@code headers} (a
   * case-insensitive header lookup returning null when absent).
   */
  Optional<String> deliveryKey(UnaryOperator<String> headers);

  /** What the verified {@code body} says; an {@code InvalidInputException} when it cannot tell. */
  WebhookEvent parse(UnaryOperator<String> headers, byte[] body);
}

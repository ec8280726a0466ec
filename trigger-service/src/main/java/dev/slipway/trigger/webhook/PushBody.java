package dev.slipway.trigger.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.problem.InvalidInputException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The JSON document of a webhook body. GitHub sends {@code application/x-www-form-urlencoded}
 * bodies when a hook's content type is {@code form} (the API's default): the JSON is then the
 * {@code payload} field, and the signature covers the raw form body, so decoding happens only here,
 * after the signature was checked over the bytes as received.
 */
public final class PushBody {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final int MAX_FORM_FIELDS = 16;

  private PushBody() {}

  /**
   * The JSON object {@code body} carries, as {@code provider} sends it with {@code contentType}.
   */
  public static JsonNode json(GitProvider provider, String contentType, byte[] body) {
    if (provider == GitProvider.GITHUB && isForm(contentType)) {
      return parse(formPayload(body).getBytes(StandardCharsets.UTF_8));
    }
    return parse(body);
  }

  private static boolean isForm(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(FORM);
  }

  private static String formPayload(byte[] body) {
    QueryStringDecoder form =
        new QueryStringDecoder(
            new String(body, StandardCharsets.UTF_8),
            StandardCharsets.UTF_8,
            false,
            MAX_FORM_FIELDS);
    List<String> payload = form.parameters().get("payload");
    if (payload == null || payload.isEmpty() || payload.get(0).isBlank()) {
      throw new InvalidInputException(
          "A form-encoded webhook must carry its JSON in the 'payload' field.", "payload");
    }
    return payload.get(0);
  }

  private static JsonNode parse(byte[] json) {
    JsonNode root;
    try {
      root = EventJson.mapper().readTree(json);
    } catch (JacksonException e) {
      throw new InvalidInputException("The body is not valid JSON.", "(body)");
    } catch (IOException e) {
      throw new InvalidInputException("The body cannot be read.", "(body)");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("The body is not a JSON object.", "(body)");
    }
    return root;
  }
}

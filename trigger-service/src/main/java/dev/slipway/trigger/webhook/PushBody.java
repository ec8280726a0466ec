package dev.slipway.trigger.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.GitProvider;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    return json(provider, contentType, WebhookBody.of(body));
  }

  /**
   * The JSON object {@code body} carries, as {@code provider} sends it with {@code contentType}.
   */
  public static JsonNode json(GitProvider provider, String contentType, WebhookBody body) {
    try (InputStream json = jsonStream(provider, contentType, body)) {
      JsonNode root = EventJson.mapper().readTree(json);
      if (root == null || !root.isObject()) {
        throw new InvalidInputException("The body is not a JSON object.", "(body)");
      }
      return root;
    } catch (JacksonException e) {
      throw new InvalidInputException("The body is not valid JSON.", "(body)");
    } catch (IOException e) {
      throw new InvalidInputException("The body cannot be read.", "(body)");
    }
  }

  /**
   * The non-blank texts at the dotted {@code paths} of the body's JSON object, read without
   * building the document: everything else is skipped token by token, and skipped strings are never
   * materialized, so reading an unauthenticated megabyte body costs a scan and no memory.
   */
  public static Map<String, String> textsAt(
      GitProvider provider, String contentType, WebhookBody body, Collection<String> paths) {
    Map<String, String> found = new HashMap<>();
    try (InputStream json = jsonStream(provider, contentType, body);
        JsonParser parser = EventJson.mapper().getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidInputException("The body is not a JSON object.", "(body)");
      }
      Deque<String> at = new ArrayDeque<>();
      at.push("");
      for (JsonToken token = parser.nextToken();
          token != null && !at.isEmpty();
          token = parser.nextToken()) {
        if (token == JsonToken.END_OBJECT) {
          at.pop();
          continue;
        }
        String path = at.peek() + parser.currentName();
        token = parser.nextToken();
        if (token == JsonToken.START_OBJECT && leadsTo(path + ".", paths)) {
          at.push(path + ".");
        } else if (token == JsonToken.VALUE_STRING && paths.contains(path)) {
          String text = parser.getText();
          if (!text.isBlank()) {
            found.put(path, text);
          }
        } else {
          parser.skipChildren();
        }
      }
      return found;
    } catch (JacksonException e) {
      throw new InvalidInputException("The body is not valid JSON.", "(body)");
    } catch (IOException e) {
      throw new InvalidInputException("The body cannot be read.", "(body)");
    }
  }

  private static boolean leadsTo(String prefix, Collection<String> paths) {
    return paths.stream().anyMatch(path -> path.startsWith(prefix));
  }

  private static InputStream jsonStream(
      GitProvider provider, String contentType, WebhookBody body) {
    if (provider == GitProvider.GITHUB && isForm(contentType)) {
      return new ByteArrayInputStream(formPayload(body).getBytes(StandardCharsets.UTF_8));
    }
    return body.stream();
  }

  private static boolean isForm(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(FORM);
  }

  private static String formPayload(WebhookBody body) {
    QueryStringDecoder form =
        new QueryStringDecoder(
            new String(body.copy(), StandardCharsets.UTF_8),
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
}

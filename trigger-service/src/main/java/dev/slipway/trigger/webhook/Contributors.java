package dev.slipway.trigger.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.Person;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everyone a push names: the pusher first, then the author and committer of every commit the host
 * lists, each once (by account id, else login, else e-mail, else name), at most {@value #MAX}. Read
 * leniently: a field of an unexpected type is left out rather than refusing the push, since the
 * head commit and the ref, read strictly elsewhere, decide what runs. What deploy-service's
 * four-eyes rule excludes from approving.
 */
final class Contributors {

  /** Most people kept for one push; a record must stay well inside Kafka's limit. */
  static final int MAX = 100;

  private final JsonNode payload;
  private final Map<String, Person> people = new LinkedHashMap<>();

  Contributors(JsonNode payload) {
    this.payload = payload;
  }

  /** Adds the person whose fields are at these paths (null: the host gives none). */
  Contributors addAt(String namePath, String emailPath, String loginPath, String idPath) {
    String login = value(loginPath);
    String email = value(emailPath);
    String name = Optional.ofNullable(value(namePath)).orElse(login != null ? login : email);
    return add(name, email, login, value(idPath));
  }

  /** Adds a person known by these values. */
  Contributors add(String name, String email, String login, String id) {
    name = blankToNull(name);
    email = blankToNull(email);
    login = blankToNull(login);
    id = blankToNull(id);
    if (name == null) {
      name = login != null ? login : email;
    }
    if (name == null || people.size() >= MAX) {
      return this;
    }
    String key =
        id != null
            ? "id:" + id
            : login != null
                ? "login:" + login.toLowerCase(Locale.ROOT)
                : email != null ? "email:" + email.toLowerCase(Locale.ROOT) : "name:" + name;
    people.putIfAbsent(key, new Person(name, email, login, id));
    return this;
  }

  /** Adds, for every element of the array at {@code arrayPath}, the people at these sub-paths. */
  Contributors addEach(String arrayPath, String... personPrefixes) {
    JsonNode array = JsonPayload.at(payload, arrayPath).filter(JsonNode::isArray).orElse(null);
    if (array == null) {
      return this;
    }
    for (int i = 0; i < array.size() && people.size() < MAX; i++) {
      for (String prefix : personPrefixes) {
        String at = arrayPath + "[" + i + "]." + prefix;
        addAt(at + ".name", at + ".email", at + ".username", null);
      }
    }
    return this;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  List<Person> list() {
    return new ArrayList<>(people.values());
  }

  private String value(String path) {
    if (path == null) {
      return null;
    }
    return JsonPayload.at(payload, path)
        .filter(node -> node.isTextual() || node.isIntegralNumber())
        .map(JsonNode::asText)
        .filter(text -> !text.isBlank())
        .map(JsonPayload::wellFormed)
        .orElse(null);
  }
}

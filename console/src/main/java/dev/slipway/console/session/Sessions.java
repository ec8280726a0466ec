package dev.slipway.console.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.console.config.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Sessions as sealed cookies: the console keeps no session store, so any instance with the key
 * serves any user, and a session ends when its cookie or its token expires. The cookie is sealed
 * with AES-256-GCM ({@link SealedBox}): the browser can neither read the token in it nor forge one.
 */
@ApplicationScoped
public class Sessions {

  /** The session cookie's name. */
  public static final String COOKIE = "slipway_session";

  /** The one-shot notice cookie's name (the outcome of the last action, shown once). */
  public static final String NOTICE_COOKIE = "slipway_notice";

  static final String SESSION_PURPOSE = "session";
  static final String NOTICE_PURPOSE = "notice";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SealedBox box;
  private final ObjectMapper json;
  private final ConsoleConfig config;
  private final Clock clock;

  @Inject
  public Sessions(ConsoleConfig config, ObjectMapper json) {
    this(config, json, Clock.systemUTC());
  }

  Sessions(ConsoleConfig config, ObjectMapper json, Clock clock) {
    this.box = new SealedBox(config.session().key());
    this.json = json;
    this.config = config;
    this.clock = clock;
  }

  /** A new session for a verified token: it ends with the token, or after max-age. */
  public Session start(String token, TokenVerifier.Identity identity) {
    Instant limit = clock.instant().plus(config.session().maxAge());
    Instant expires = identity.expiresAt().isBefore(limit) ? identity.expiresAt() : limit;
    return new Session(
        identity.user(),
        identity.roles(),
        token,
        expires.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
        randomToken());
  }

  /** The cookie value of {@code session}. */
  public String seal(Session session) {
    ObjectNode node = json.createObjectNode();
    node.put("u", session.user());
    session.roles().forEach(node.putArray("r")::add);
    if (session.roles().isEmpty()) {
      node.putArray("r");
    }
    node.put("t", session.token());
    node.put("e", session.expiresAt().getEpochSecond());
    node.put("c", session.csrf());
    return box.seal(SESSION_PURPOSE, node.toString());
  }

  /** The session a cookie holds, if it is ours, intact and not expired. */
  public Optional<Session> open(String cookie) {
    return box.open(SESSION_PURPOSE, cookie)
        .flatMap(this::parse)
        .filter(session -> session.validAt(clock.instant()));
  }

  /** A notice sealed for the one-shot cookie. */
  public String sealNotice(Notice notice) {
    ObjectNode node = json.createObjectNode();
    node.put("k", notice.kind());
    node.put("m", notice.message());
    node.put("e", clock.instant().plusSeconds(120).getEpochSecond());
    return box.seal(NOTICE_PURPOSE, node.toString());
  }

  /** The notice a cookie holds, if it is ours and fresh. */
  public Optional<Notice> openNotice(String cookie) {
    return box.open(NOTICE_PURPOSE, cookie)
        .flatMap(
            text -> {
              try {
                JsonNode node = json.readTree(text);
                if (Instant.ofEpochSecond(node.path("e").asLong()).isBefore(clock.instant())) {
                  return Optional.empty();
                }
                return Optional.of(new Notice(node.path("k").asText(), node.path("m").asText()));
              } catch (JsonProcessingException e) {
                return Optional.empty();
              }
            });
  }

  /** Whether {@code presented} is the session's CSRF secret (compared in constant time). */
  public static boolean csrfMatches(Session session, String presented) {
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(
        session.csrf().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** How many seconds a cookie for {@code session} should live. */
  public long maxAgeSeconds(Session session) {
    return Math.max(0, session.expiresAt().getEpochSecond() - clock.instant().getEpochSecond());
  }

  SealedBox box() {
    return box;
  }

  Clock clock() {
    return clock;
  }

  private Optional<Session> parse(String text) {
    try {
      JsonNode node = json.readTree(text);
      Set<String> roles = new LinkedHashSet<>();
      node.path("r").forEach(role -> roles.add(role.asText()));
      String user = node.path("u").asText("");
      String token = node.path("t").asText("");
      String csrf = node.path("c").asText("");
      if (user.isEmpty() || token.isEmpty() || csrf.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new Session(user, roles, token, Instant.ofEpochSecond(node.path("e").asLong()), csrf));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private static String randomToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The outcome of an action, shown once on the page the browser is sent to next.
   *
   * @param kind {@code ok} or {@code refused}
   * @param message what happened, in the services' words
   */
  public record Notice(String kind, String message) {}
}

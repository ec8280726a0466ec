package dev.slipway.console.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.console.config.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-time sign-in links for local runs. {@code ./slipway up} (the launcher) signs a platform token
 * for the chosen user and roles with the local key, and seals it with the console's session key
 * into a ticket with an expiry and a random nonce; the link is {@code /login/link?ticket=...}. The
 * console opens the ticket, refuses it when expired or already used (the nonce is remembered until
 * the ticket expires), verifies the token like the services do, and starts a session.
 *
 * <p>Ticket: {@link SealedBox} with purpose {@value #PURPOSE} of the JSON {@code {"token": JWT,
 * "exp": epoch seconds, "nonce": text}}.
 *
 * <p>Nonces are remembered by this instance: a link is one-time for the console that consumed it.
 * Several replicas (a cluster install) sign in through OIDC instead.
 */
@ApplicationScoped
public class LoginTickets {

  /** The purpose tickets are sealed for. */
  public static final String PURPOSE = "login-ticket";

  private final Sessions sessions;
  private final TokenVerifier verifier;
  private final ConsoleConfig config;
  private final ObjectMapper json;
  private final Map<String, Instant> used = new ConcurrentHashMap<>();

  public LoginTickets(
      Sessions sessions, TokenVerifier verifier, ConsoleConfig config, ObjectMapper json) {
    this.sessions = sessions;
    this.verifier = verifier;
    this.config = config;
    this.json = json;
  }

  /** The session a ticket starts, or why it starts none. */
  public Outcome redeem(String ticket) {
    Optional<String> text = sessions.box().open(PURPOSE, ticket);
    if (text.isEmpty()) {
      return Outcome.refused("This sign-in link is not valid.");
    }
    JsonNode node;
    try {
      node = json.readTree(text.get());
    } catch (IOException e) {
      return Outcome.refused("This sign-in link is not valid.");
    }
    Instant now = sessions.clock().instant();
    Instant expires = Instant.ofEpochSecond(node.path("exp").asLong(0));
    String nonce = node.path("nonce").asText("");
    if (nonce.length() < 16) {
      return Outcome.refused("This sign-in link is not valid.");
    }
    if (!now.isBefore(expires) || expires.isAfter(now.plus(config.session().linkMaxAge()))) {
      return Outcome.refused("This sign-in link has expired: ask for a new one.");
    }
    forgetExpired(now);
    if (used.putIfAbsent(nonce, expires) != null) {
      return Outcome.refused("This sign-in link was used already: each link signs in once.");
    }
    String token = node.path("token").asText("");
    return verifier
        .verify(token)
        .map(identity -> Outcome.signedIn(sessions.start(token, identity)))
        .orElseGet(() -> Outcome.refused("The token of this sign-in link is not valid."));
  }

  private void forgetExpired(Instant now) {
    used.values().removeIf(expiry -> expiry.isBefore(now));
  }

  /**
   * What a ticket gave.
   *
   * @param session the new session, when signed in
   * @param refusal why not, otherwise
   */
  public record Outcome(Session session, String refusal) {
    static Outcome signedIn(Session session) {
      return new Outcome(session, null);
    }

    static Outcome refused(String why) {
      return new Outcome(null, why);
    }
  }
}

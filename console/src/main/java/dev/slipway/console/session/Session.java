package dev.slipway.console.session;

import java.time.Instant;
import java.util.Set;

/**
 * A signed-in user, as the session cookie carries it: who, with which roles, the token every call
 * to a service is made with, until when, and the secret that state-changing forms must echo.
 *
 * @param user the user's name (the token's {@code upn}, else its subject)
 * @param roles the roles the token grants; pages only use them to offer actions, the services
 *     decide
 * @param token the bearer token the services are called with
 * @param expiresAt when the session ends (never after the token does)
 * @param csrf a random value every state-changing request must carry
 */
public record Session(
    String user, Set<String> roles, String token, Instant expiresAt, String csrf) {

  public Session {
    roles = Set.copyOf(roles);
  }

  /** Whether the session still holds at {@code now}. */
  public boolean validAt(Instant now) {
    return now.isBefore(expiresAt);
  }

  /** Whether the token grants {@code role}. */
  public boolean has(String role) {
    return roles.contains(role);
  }

  /** Whether the token grants any of {@code any}. */
  public boolean hasAny(String... any) {
    for (String role : any) {
      if (roles.contains(role)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    // Never the token or the CSRF secret in a log line.
    return "Session[" + user + " " + roles + " until " + expiresAt + "]";
  }
}

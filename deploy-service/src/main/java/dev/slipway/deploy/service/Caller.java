package dev.slipway.deploy.service;

import java.util.Locale;
import java.util.Optional;

/**
 * Who calls the API, as their token says.
 *
 * @param name the token's user name ({@code upn}, else {@code preferred_username}, else {@code
 *     sub})
 * @param email the token's {@code email} claim, when it has one
 */
public record Caller(String name, Optional<String> email) {

  /** Whether {@code identity} (a user name, e-mail or display name) names this caller. */
  public boolean is(String identity) {
    if (identity == null || identity.isBlank()) {
      return false;
    }
    String wanted = identity.trim().toLowerCase(Locale.ROOT);
    return name.toLowerCase(Locale.ROOT).equals(wanted)
        || email.map(e -> e.toLowerCase(Locale.ROOT).equals(wanted)).orElse(false);
  }
}

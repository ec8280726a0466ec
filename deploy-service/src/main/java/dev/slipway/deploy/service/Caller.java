package dev.slipway.deploy.service;

import dev.slipway.events.AccessPolicy;
import java.util.List;
import java.util.Locale;

/**
 * Who calls the API, as their token and the identities linked to them say.
 *
 * @param user the stable identity: the token's subject, qualified by its issuer's name unless the
 *     issuer is the platform's own ({@code ./slipway token})
 * @param name the user name people read ({@code upn}, else {@code preferred_username}, else the
 *     subject)
 * @param emails e-mail addresses known to be theirs: the token's {@code email} when the issuer
 *     verified it, and those an admin linked to them
 * @param accounts Git host accounts linked to them (by the token's federated claims or an admin)
 */
public record Caller(
    String user, String name, List<String> emails, List<AccessPolicy.Account> accounts) {

  public Caller {
    emails = List.copyOf(emails);
    accounts = List.copyOf(accounts);
  }

  /** A caller known only by name (tests, the platform's own tokens). */
  public static Caller named(String name) {
    return new Caller(name, name, List.of(), List.of());
  }

  /** Whether {@code identity} (a user name or e-mail) names this caller. */
  public boolean is(String identity) {
    if (identity == null || identity.isBlank()) {
      return false;
    }
    String wanted = identity.trim().toLowerCase(Locale.ROOT);
    return name.toLowerCase(Locale.ROOT).equals(wanted)
        || user.toLowerCase(Locale.ROOT).equals(wanted)
        || emails.stream().anyMatch(e -> e.toLowerCase(Locale.ROOT).equals(wanted));
  }

  /** The linked account on {@code provider} whose id or login matches, if any. */
  public java.util.Optional<AccessPolicy.Account> account(
      String provider, String id, String login) {
    if (provider == null) {
      return java.util.Optional.empty();
    }
    return accounts.stream()
        .filter(a -> a.provider().equalsIgnoreCase(provider))
        .filter(
            a ->
                (id != null && id.equals(a.id()))
                    || (login != null && a.login() != null && a.login().equalsIgnoreCase(login)))
        .findFirst();
  }
}

package dev.slipway.work.access;

import dev.slipway.events.AccessPolicy;
import java.util.List;
import java.util.Set;

/**
 * Who calls, as their verified token and the configured claim mapping of its issuer say.
 *
 * @param issuer the configured name of the issuer that signed the token
 * @param user the stable identity: {@code issuer/subject}, or the bare subject for an issuer that
 *     does not qualify it (the platform's own, {@code ./slipway token})
 * @param name the user name people read
 * @param emails e-mail addresses the issuer verified
 * @param groups the token's groups, with the issuer's prefix
 * @param platformRoles roles the issuer asserts directly for the whole platform (only the
 *     platform's own issuer is configured to)
 * @param accounts Git host accounts the token names (e.g. Dex's federated claims)
 */
public record Actor(
    String issuer,
    String user,
    String name,
    List<String> emails,
    Set<String> groups,
    Set<String> platformRoles,
    List<AccessPolicy.Account> accounts) {

  public Actor {
    emails = List.copyOf(emails);
    groups = Set.copyOf(groups);
    platformRoles = Set.copyOf(platformRoles);
    accounts = List.copyOf(accounts);
  }

  /** This actor with the accounts and e-mails an admin linked to them added. */
  public Actor linkedWith(AccessPolicy policy) {
    List<AccessPolicy.Account> allAccounts = new java.util.ArrayList<>(accounts);
    List<String> allEmails = new java.util.ArrayList<>(emails);
    for (AccessPolicy.IdentityLink link : policy.identities()) {
      if (link.user().equals(user)) {
        allAccounts.addAll(link.accounts());
        allEmails.addAll(link.emails());
      }
    }
    return new Actor(issuer, user, name, allEmails, groups, platformRoles, allAccounts);
  }
}

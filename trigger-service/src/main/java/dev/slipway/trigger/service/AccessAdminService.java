package dev.slipway.trigger.service;

import dev.slipway.events.AccessPolicy;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.messaging.AccessPolicyRelay;
import dev.slipway.trigger.problem.AccessEntryNotFoundException;
import dev.slipway.trigger.problem.VersionConflictException;
import dev.slipway.trigger.repository.AccessRepository;
import dev.slipway.trigger.repository.AccessRepository.StoredBinding;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Role bindings and identity links, managed by admins. Every change makes a new version of what it
 * changed and of the access policy, is written with its access_log row (who, what) in one
 * transaction, and is refused with 409 when the version the caller read (If-Match) is no longer the
 * stored one, so two admins never overwrite each other unknowingly.
 */
@ApplicationScoped
public class AccessAdminService {

  private static final Logger LOG = Logger.getLogger(AccessAdminService.class);
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final int MAX_GROUP = 200;
  private static final int MAX_ENTRIES = 50;

  private final AccessRepository repository;
  private final AccessPolicyRelay relay;

  public AccessAdminService(AccessRepository repository, AccessPolicyRelay relay) {
    this.repository = repository;
    this.relay = relay;
  }

  /** A binding as an admin asks for it. */
  public record BindingRequest(
      String group, String role, String team, String application, String environment) {}

  /** An identity link as an admin asks for it. */
  public record IdentityRequest(List<AccessPolicy.Account> accounts, List<String> emails) {}

  /** The live bindings and the policy version they belong to. */
  public Uni<Listing> bindings() {
    return repository
        .current(repository.pool())
        .map(policy -> new Listing(policy.version(), policy.bindings()));
  }

  /** Bindings and the policy version, for an ETag. */
  public record Listing(long policyVersion, List<AccessPolicy.RoleBinding> bindings) {}

  /** One live binding; 404 when there is none. */
  public Uni<StoredBinding> binding(String id) {
    return repository
        .binding(repository.pool(), id, false)
        .map(found -> found.orElseThrow(() -> notFound(id)));
  }

  /** Every version of binding {@code id}, deleted ones included. */
  public Uni<List<StoredBinding>> history(String id) {
    return repository
        .history(id)
        .invoke(
            versions -> {
              if (versions.isEmpty()) {
                throw notFound(id);
              }
            });
  }

  /** Creates a binding at version 1. */
  public Uni<StoredBinding> create(BindingRequest request, String actor) {
    BindingRequest valid = validate(request);
    StoredBinding binding =
        new StoredBinding(
            "rb-" + UUID.randomUUID().toString().substring(0, 8),
            1,
            valid.group(),
            valid.role(),
            valid.team(),
            valid.application(),
            valid.environment(),
            false,
            actor,
            null);
    return change(binding, actor, "binding.created");
  }

  /** Replaces binding {@code id} if it is still at {@code expected}; its new version. */
  public Uni<StoredBinding> replace(
      String id, long expected, BindingRequest request, String actor) {
    BindingRequest valid = validate(request);
    return repository
        .pool()
        .withTransaction(
            tx ->
                repository
                    .binding(tx, id, true)
                    .map(found -> current(found.orElseThrow(() -> notFound(id)), expected))
                    .flatMap(
                        stored -> {
                          StoredBinding next =
                              new StoredBinding(
                                  id,
                                  stored.version() + 1,
                                  valid.group(),
                                  valid.role(),
                                  valid.team(),
                                  valid.application(),
                                  valid.environment(),
                                  false,
                                  actor,
                                  null);
                          return write(tx, next, actor, "binding.updated").replaceWith(next);
                        }))
        .call(relay::changed);
  }

  /** Deletes binding {@code id} if it is still at {@code expected}. */
  public Uni<Void> delete(String id, long expected, String actor) {
    return repository
        .pool()
        .withTransaction(
            tx ->
                repository
                    .binding(tx, id, true)
                    .map(found -> current(found.orElseThrow(() -> notFound(id)), expected))
                    .flatMap(
                        stored -> {
                          StoredBinding gone =
                              new StoredBinding(
                                  id,
                                  stored.version() + 1,
                                  stored.group(),
                                  stored.role(),
                                  stored.team(),
                                  stored.application(),
                                  stored.environment(),
                                  true,
                                  actor,
                                  null);
                          return write(tx, gone, actor, "binding.deleted");
                        }))
        .call(relay::changed)
        .replaceWithVoid();
  }

  /** Every identity link. */
  public Uni<List<AccessRepository.StoredIdentity>> identities() {
    return repository.identities(repository.pool());
  }

  /**
   * Links {@code user} to Git host accounts and e-mail addresses; {@code expected} is the version
   * read (null only when there is none yet).
   */
  public Uni<AccessRepository.StoredIdentity> link(
      String user, Long expected, IdentityRequest request, String actor) {
    AccessPolicy.IdentityLink link = validate(user, request);
    return repository
        .pool()
        .withTransaction(
            tx ->
                repository
                    .identity(tx, user, true)
                    .flatMap(
                        found -> {
                          long stored =
                              found.map(AccessRepository.StoredIdentity::version).orElse(0L);
                          if (found.isPresent()
                              ? expected == null || expected != stored
                              : expected != null && expected != 0) {
                            throw new VersionConflictException(
                                "the identity link of "
                                    + user
                                    + " is at version "
                                    + stored
                                    + (expected == null
                                        ? "; send If-Match with it"
                                        : ", not " + expected));
                          }
                          long next = stored + 1;
                          return repository
                              .writeIdentity(tx, link, next, actor)
                              .call(
                                  () ->
                                      repository.log(
                                          tx, actor, "identity.linked", user, describe(link)))
                              .replaceWith(
                                  new AccessRepository.StoredIdentity(link, next, actor, null));
                        }))
        .call(relay::changed);
  }

  /** Removes the identity link of {@code user}. */
  public Uni<Void> unlink(String user, long expected, String actor) {
    return repository
        .pool()
        .withTransaction(
            tx ->
                repository
                    .identity(tx, user, true)
                    .flatMap(
                        found -> {
                          AccessRepository.StoredIdentity stored =
                              found.orElseThrow(
                                  () ->
                                      new AccessEntryNotFoundException(
                                          "no identity link for " + user));
                          if (stored.version() != expected) {
                            throw new VersionConflictException(
                                "the identity link of "
                                    + user
                                    + " is at version "
                                    + stored.version()
                                    + ", not "
                                    + expected);
                          }
                          return repository
                              .deleteIdentity(tx, user)
                              .call(
                                  () -> repository.log(tx, actor, "identity.unlinked", user, null));
                        }))
        .call(relay::changed)
        .replaceWithVoid();
  }

  /** Records a change made elsewhere (webhook secrets rotated) in the access log. */
  public Uni<Void> logged(String actor, String action, String target, String detail) {
    return repository
        .pool()
        .withTransaction(tx -> repository.log(tx, actor, action, target, detail))
        .call(relay::changed)
        .replaceWithVoid();
  }

  private Uni<StoredBinding> change(StoredBinding binding, String actor, String action) {
    return repository
        .pool()
        .withTransaction(tx -> write(tx, binding, actor, action).replaceWith(binding))
        .call(relay::changed);
  }

  private Uni<Void> write(
      io.vertx.mutiny.sqlclient.SqlClient tx, StoredBinding binding, String actor, String action) {
    return repository
        .write(tx, binding)
        .call(() -> repository.log(tx, actor, action, binding.id(), describe(binding)))
        .invoke(
            () ->
                LOG.infof(
                    "%s by %s: %s (version %d)",
                    action, actor, describe(binding), binding.version()));
  }

  private static StoredBinding current(StoredBinding stored, long expected) {
    if (stored.version() != expected) {
      throw new VersionConflictException(
          "binding "
              + stored.id()
              + " is at version "
              + stored.version()
              + ", not "
              + expected
              + "; read it again and retry");
    }
    return stored;
  }

  static String describe(StoredBinding b) {
    String where;
    if (b.team() == null && b.application() == null && b.environment() == null) {
      where = "the whole platform";
    } else {
      where =
          (b.environment() == null ? "" : b.environment() + " of ")
              + (b.application() != null
                  ? "application " + b.application()
                  : b.team() != null ? "team " + b.team() : "every application")
              + (b.application() != null && b.team() != null ? " (team " + b.team() + ")" : "");
    }
    return (b.deleted() ? "removed: " : "")
        + "group "
        + b.group()
        + " is "
        + b.role()
        + " for "
        + where;
  }

  private static String describe(AccessPolicy.IdentityLink link) {
    return "accounts "
        + link.accounts().stream()
            .map(
                a ->
                    a.provider()
                        + ":"
                        + (a.login() == null ? "" : a.login())
                        + (a.id() == null ? "" : "#" + a.id()))
            .toList()
        + ", e-mails "
        + link.emails();
  }

  private static BindingRequest validate(BindingRequest request) {
    if (request == null) {
      throw new InvalidInputException("A JSON body is required.", "(body)");
    }
    String group = request.group();
    if (group == null
        || group.isBlank()
        || group.length() > MAX_GROUP
        || group.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidInputException(
          "Field 'group' must be a group name of 1 to " + MAX_GROUP + " characters.", "group");
    }
    String role = request.role() == null ? null : request.role().strip().toLowerCase(Locale.ROOT);
    if (role == null || !Roles.isRole(role)) {
      throw new InvalidInputException(
          "Field 'role' must be one of " + Roles.ALL.stream().sorted().toList() + ".", "role");
    }
    return new BindingRequest(
        group.strip(),
        role,
        label(request.team(), "team"),
        label(request.application(), "application"),
        label(request.environment(), "environment"));
  }

  private static AccessPolicy.IdentityLink validate(String user, IdentityRequest request) {
    if (request == null) {
      throw new InvalidInputException("A JSON body is required.", "(body)");
    }
    List<AccessPolicy.Account> accounts =
        request.accounts() == null ? List.of() : request.accounts();
    List<String> emails = request.emails() == null ? List.of() : request.emails();
    if (accounts.size() > MAX_ENTRIES || emails.size() > MAX_ENTRIES) {
      throw new InvalidInputException(
          "At most " + MAX_ENTRIES + " accounts and " + MAX_ENTRIES + " e-mails.", "accounts");
    }
    for (int i = 0; i < accounts.size(); i++) {
      AccessPolicy.Account a = accounts.get(i);
      if (a == null
          || a.provider() == null
          || !List.of("github", "gitlab", "bitbucket", "gitea").contains(a.provider())) {
        throw new InvalidInputException(
            "Field 'accounts[" + i + "].provider' must be github, gitlab, bitbucket or gitea.",
            "accounts[" + i + "].provider");
      }
    }
    for (int i = 0; i < emails.size(); i++) {
      String e = emails.get(i);
      if (e == null || !e.matches("[^@\\s]{1,64}@[^@\\s]{1,255}")) {
        throw new InvalidInputException(
            "Field 'emails[" + i + "]' is not an e-mail address.", "emails[" + i + "]");
      }
    }
    return new AccessPolicy.IdentityLink(user, accounts, emails);
  }

  private static String label(String value, String field) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (!LABEL.matcher(value).matches()) {
      throw new InvalidInputException(
          "Field '" + field + "' must be a DNS label (lower-case letters, digits, '-').", field);
    }
    return value;
  }

  private static AccessEntryNotFoundException notFound(String id) {
    return new AccessEntryNotFoundException("binding " + id + " does not exist");
  }
}

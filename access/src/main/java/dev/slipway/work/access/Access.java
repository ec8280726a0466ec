package dev.slipway.work.access;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a service's operations ask before they act: does the caller hold one of these roles where
 * this operation acts? Every {@code /api} operation calls {@link #require} with the application
 * (and environment) of what it reads or changes, or {@link #visibleApplications} to filter a list;
 * a refusal is a 403 naming the role and the scope. The caller's roles were first checked
 * scope-blind by {@code @RolesAllowed}.
 */
@ApplicationScoped
public class Access {

  private final SecurityIdentity identity;
  private final AccessPolicyFeed feed;
  private final AuthConfig config;
  private final CurrentVertxRequest request;

  public Access(
      SecurityIdentity identity,
      AccessPolicyFeed feed,
      AuthConfig config,
      CurrentVertxRequest request) {
    this.identity = identity;
    this.feed = feed;
    this.config = config;
    this.request = request;
  }

  /** The caller, with the accounts and e-mails an admin linked to them. */
  public Actor actor() {
    Actor actor = identity.getAttribute(ActorAugmentor.ACTOR);
    if (actor == null) {
      throw new ForbiddenException("the caller's token names no user");
    }
    return actor.linkedWith(feed.current());
  }

  /** The evaluator of the current policy. */
  public AccessEvaluator evaluator() {
    return new AccessEvaluator(feed.current(), Bootstrap.bindings(config));
  }

  /**
   * Refuses (403) unless the caller holds one of {@code roles} for {@code application} (null: the
   * whole platform) in {@code environment} (null: the application as such).
   */
  public void require(Set<String> roles, String application, String environment) {
    Actor actor = actor();
    if (!evaluator().allows(actor, roles, application, environment)) {
      String reason = refusal(actor, roles, application, environment);
      try {
        if (request.getCurrent() != null) {
          request.getCurrent().put(ApiGate.DENIAL_REASON, reason);
        }
      } catch (ContextNotActiveException e) {
        // No request to remember it on (a call from a worker): the 403 still names the reason.
      }
      throw new ForbiddenException(reason);
    }
  }

  /** {@link #require} for an application as such. */
  public void require(Set<String> roles, String application) {
    require(roles, application, null);
  }

  /** The applications whose records the caller may see with one of {@code roles}; empty: all. */
  public Optional<Set<String>> visibleApplications(Set<String> roles) {
    return evaluator().visibleApplications(actor(), roles);
  }

  /**
   * The applications a list may show: {@code requested} if given (refused when out of scope), else
   * every visible one (empty: no restriction).
   */
  public Optional<List<String>> listScope(Set<String> roles, String requested) {
    if (requested != null && !requested.isBlank()) {
      require(roles, requested);
      return Optional.of(List.of(requested));
    }
    return visibleApplications(roles).map(List::copyOf);
  }

  private String refusal(Actor actor, Set<String> roles, String application, String environment) {
    String where =
        application == null
            ? "the whole platform"
            : environment == null
                ? application + (teamSuffix(application))
                : environment + " of " + application + teamSuffix(application);
    return actor.name()
        + " holds no role among "
        + roles.stream().sorted().toList()
        + " for "
        + where;
  }

  private String teamSuffix(String application) {
    String team = evaluator().teamOf(application);
    return team == null ? "" : " (team " + team + ")";
  }
}

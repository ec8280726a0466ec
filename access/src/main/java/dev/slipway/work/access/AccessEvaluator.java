package dev.slipway.work.access;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.AccessPolicy.RoleBinding;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether an actor holds a role where an operation acts. A binding (group, role, scope)
 * applies to a target when every scope field it sets matches: its team is the application's team,
 * its application is the application, its environment is the environment. A binding that names an
 * environment gives nothing where no environment is at stake (a build, the application itself), and
 * only a binding without scope reaches a platform-wide target (clusters, the advisory database, the
 * whole audit log). Roles an issuer asserts for the platform count everywhere. Pure: the policy is
 * the version this service read last, plus the bootstrap bindings of its configuration.
 */
public final class AccessEvaluator {

  private final AccessPolicy policy;
  private final List<RoleBinding> bindings;

  public AccessEvaluator(AccessPolicy policy, List<RoleBinding> bootstrap) {
    this.policy = policy;
    List<RoleBinding> all = new ArrayList<>(bootstrap);
    all.addAll(policy.bindings());
    this.bindings = List.copyOf(all);
  }

  /** The policy decisions are taken against. */
  public AccessPolicy policy() {
    return policy;
  }

  /** Every role {@code actor} holds in some scope: what a first, scope-blind check may use. */
  public Set<String> rolesAnywhere(Actor actor) {
    Set<String> roles = new HashSet<>(actor.platformRoles());
    for (RoleBinding binding : bindings) {
      if (actor.groups().contains(binding.group())) {
        roles.add(binding.role());
      }
    }
    return roles;
  }

  /**
   * Whether {@code actor} holds one of {@code roles} for {@code application} in {@code
   * environment}. A null application is the whole platform; a null environment is the application
   * as such.
   */
  public boolean allows(Actor actor, Set<String> roles, String application, String environment) {
    if (actor.platformRoles().stream().anyMatch(roles::contains)) {
      return true;
    }
    String team = teamOf(application);
    for (RoleBinding binding : bindings) {
      if (actor.groups().contains(binding.group())
          && roles.contains(binding.role())
          && covers(binding, application, team, environment)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The applications whose records {@code actor} may see with one of {@code roles}; empty when they
   * may see every application's.
   */
  public Optional<Set<String>> visibleApplications(Actor actor, Set<String> roles) {
    if (actor.platformRoles().stream().anyMatch(roles::contains)) {
      return Optional.empty();
    }
    Set<String> visible = new HashSet<>();
    for (RoleBinding binding : bindings) {
      if (!actor.groups().contains(binding.group()) || !roles.contains(binding.role())) {
        continue;
      }
      if (binding.team() == null && binding.application() == null) {
        return Optional.empty();
      }
      if (binding.application() != null
          && (binding.team() == null || binding.team().equals(teamOf(binding.application())))) {
        visible.add(binding.application());
      }
      if (binding.team() != null && binding.application() == null) {
        policy
            .applications()
            .forEach(
                (name, app) -> {
                  if (binding.team().equals(app.team())) {
                    visible.add(name);
                  }
                });
      }
    }
    return Optional.of(Set.copyOf(visible));
  }

  /** The team of {@code application}, or null when it belongs to none or is unknown. */
  public String teamOf(String application) {
    if (application == null) {
      return null;
    }
    AccessPolicy.Application app = policy.applications().get(application);
    return app == null ? null : app.team();
  }

  private static boolean covers(
      RoleBinding binding, String application, String team, String environment) {
    if (binding.team() == null && binding.application() == null && binding.environment() == null) {
      return true;
    }
    if (application == null) {
      return false;
    }
    if (binding.team() != null && !binding.team().equals(team)) {
      return false;
    }
    if (binding.application() != null && !binding.application().equals(application)) {
      return false;
    }
    return binding.environment() == null || binding.environment().equals(environment);
  }
}

package dev.slipway.work.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.AccessPolicy.RoleBinding;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scope evaluation, by a table worked out by hand. Applications: shop-web and shop-api of team
 * shop, bank-api of team bank, orphan of no team. Bindings:
 *
 * <pre>
 * group            role      team  application  environment
 * shop-deployers   deployer  shop
 * prod-approvers   approver  shop               prod
 * api-viewers      viewer          bank-api
 * dev-deployers    deployer                     dev
 * platform-admins  admin
 * </pre>
 */
class AccessEvaluatorTest {

  private static final AccessPolicy POLICY =
      new AccessPolicy(
          3,
          Map.of(
              "shop-web", app("shop"),
              "shop-api", app("shop"),
              "bank-api", app("bank"),
              "orphan", app(null)),
          List.of(
              binding("shop-deployers", "deployer", "shop", null, null),
              binding("prod-approvers", "approver", "shop", null, "prod"),
              binding("api-viewers", "viewer", null, "bank-api", null),
              binding("dev-deployers", "deployer", null, null, "dev")),
          List.of(),
          null);

  private static final AccessEvaluator EVALUATOR =
      new AccessEvaluator(POLICY, List.of(binding("platform-admins", "admin", null, null, null)));

  static Stream<Arguments> table() {
    return Stream.of(
        // group, role asked, application, environment, allowed
        Arguments.of("shop-deployers", "deployer", "shop-web", null, true),
        Arguments.of("shop-deployers", "deployer", "shop-api", "prod", true),
        Arguments.of("shop-deployers", "deployer", "bank-api", null, false),
        Arguments.of("shop-deployers", "deployer", "orphan", null, false),
        Arguments.of("shop-deployers", "deployer", null, null, false),
        Arguments.of("shop-deployers", "approver", "shop-web", "prod", false),
        Arguments.of("prod-approvers", "approver", "shop-web", "prod", true),
        Arguments.of("prod-approvers", "approver", "shop-web", "staging", false),
        Arguments.of("prod-approvers", "approver", "shop-web", null, false),
        Arguments.of("prod-approvers", "approver", "bank-api", "prod", false),
        Arguments.of("api-viewers", "viewer", "bank-api", "prod", true),
        Arguments.of("api-viewers", "viewer", "shop-web", null, false),
        Arguments.of("dev-deployers", "deployer", "bank-api", "dev", true),
        Arguments.of("dev-deployers", "deployer", "bank-api", "prod", false),
        Arguments.of("dev-deployers", "deployer", "bank-api", null, false),
        Arguments.of("platform-admins", "admin", null, null, true),
        Arguments.of("platform-admins", "admin", "orphan", "prod", true),
        Arguments.of("nobody", "viewer", "shop-web", null, false));
  }

  @ParameterizedTest(name = "{0} as {1} on {2}/{3}: {4}")
  @MethodSource("table")
  void aBindingReachesExactlyItsScope(
      String group, String role, String application, String environment, boolean allowed) {
    assertThat(
            EVALUATOR.allows(
                actor(Set.of(group), Set.of()), Set.of(role), application, environment))
        .isEqualTo(allowed);
  }

  @Test
  void rolesAnIssuerAssertsForThePlatformReachEverything() {
    Actor local = actor(Set.of(), Set.of("deployer"));
    assertThat(EVALUATOR.allows(local, Set.of("deployer"), "bank-api", "prod")).isTrue();
    assertThat(EVALUATOR.allows(local, Set.of("admin"), null, null)).isFalse();
    assertThat(EVALUATOR.visibleApplications(local, Set.of("deployer"))).isEmpty();
  }

  @Test
  void aListShowsWhatTheBindingsReach() {
    assertThat(EVALUATOR.visibleApplications(actor(Set.of("shop-deployers"), Set.of()), Roles.READ))
        .contains(Set.of("shop-web", "shop-api"));
    assertThat(EVALUATOR.visibleApplications(actor(Set.of("api-viewers"), Set.of()), Roles.READ))
        .contains(Set.of("bank-api"));
    assertThat(EVALUATOR.visibleApplications(actor(Set.of("dev-deployers"), Set.of()), Roles.READ))
        .isEqualTo(Optional.empty());
    assertThat(EVALUATOR.visibleApplications(actor(Set.of("nobody"), Set.of()), Roles.READ))
        .contains(Set.of());
    assertThat(EVALUATOR.rolesAnywhere(actor(Set.of("prod-approvers", "api-viewers"), Set.of())))
        .containsExactlyInAnyOrder("approver", "viewer");
  }

  private static Actor actor(Set<String> groups, Set<String> roles) {
    return new Actor("corp", "corp/u1", "u1", List.of(), groups, roles, List.of());
  }

  private static AccessPolicy.Application app(String team) {
    return new AccessPolicy.Application(
        team, "https://git.example/" + team, List.of(), new ScanPolicy(Severity.HIGH, true));
  }

  private static RoleBinding binding(
      String group, String role, String team, String application, String environment) {
    return new RoleBinding(group + "-b", 1, group, role, team, application, environment);
  }
}

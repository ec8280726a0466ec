package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Least privilege: a ServiceAccount per workload, a Kubernetes API token mounted only where a Role
 * grants something, no wildcard anywhere, and build-service's one Role (in the build namespace)
 * exactly as wide as its Kubernetes executor needs; Secrets only there, by name, never listed.
 */
class RbacTest {

  /**
   * What build-service may do in the build namespace, nothing more: start a build's Job, follow its
   * pod and the pod's log, delete the Job (and with it the pod) afterwards or on cancel; create and
   * delete the Secret of a build's secret variables, read a Secret its configuration names.
   */
  private static final List<String> BUILD_SERVICE_RULES =
      List.of(
          "batch/jobs: create, get, list, watch, delete",
          "/pods: get, list, watch",
          "/pods/log: get",
          "/secrets: create, get, delete");

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void noRuleUsesAWildcardOrReachesSecretsOutsideTheBuildNamespace(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<PolicyRule> rules =
        Stream.concat(
                overlay.all("Role", Role.class).stream()
                    .filter(r -> !Overlay.BUILD_NAMESPACE.equals(r.getMetadata().getNamespace()))
                    .flatMap(r -> r.getRules().stream()),
                overlay.ofKind("ClusterRole").stream()
                    .map(o -> Models.bind(o, ClusterRole.class))
                    .flatMap(r -> r.getRules().stream()))
            .toList();
    List<PolicyRule> builds =
        overlay.all("Role", Role.class).stream()
            .filter(r -> Overlay.BUILD_NAMESPACE.equals(r.getMetadata().getNamespace()))
            .flatMap(r -> r.getRules().stream())
            .toList();
    assertThat(builds).isNotEmpty();
    for (PolicyRule rule : builds) {
      assertThat(
              Stream.of(
                      rule.getVerbs(),
                      rule.getResources(),
                      rule.getApiGroups(),
                      rule.getResourceNames())
                  .flatMap(List::stream))
          .as("rule %s", rule)
          .doesNotContain("*");
      assertThat(rule.getResources())
          .as("rule %s", rule)
          .doesNotContain("pods/exec", "pods/attach");
      if (rule.getResources().contains("secrets")) {
        // A Secret is read by the name configuration gives; none may be listed or watched.
        assertThat(rule.getVerbs()).as("rule %s", rule).doesNotContain("list", "watch");
      }
    }
    for (PolicyRule rule : rules) {
      assertThat(
              Stream.of(
                      rule.getVerbs(),
                      rule.getResources(),
                      rule.getApiGroups(),
                      rule.getResourceNames())
                  .flatMap(List::stream))
          .as("rule %s", rule)
          .doesNotContain("*");
      assertThat(rule.getResources())
          .as("rule %s", rule)
          .doesNotContain("secrets", "pods/exec", "pods/attach");
      assertThat(rule.getNonResourceURLs()).as("rule %s", rule).isNullOrEmpty();
    }
    assertThat(overlay.ofKind("ClusterRoleBinding")).as("cluster-wide grants").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void buildServiceMayRunJobsInTheBuildNamespaceOnly(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<Role> roles = overlay.all("Role", Role.class);
    assertThat(roles).hasSize(1);
    Role role = roles.get(0);
    assertThat(role.getMetadata().getNamespace()).isEqualTo(Overlay.BUILD_NAMESPACE);
    assertThat(role.getRules().stream().map(RbacTest::describe))
        .containsExactlyInAnyOrderElementsOf(BUILD_SERVICE_RULES);

    List<RoleBinding> bindings = overlay.all("RoleBinding", RoleBinding.class);
    assertThat(bindings).hasSize(1);
    RoleBinding binding = bindings.get(0);
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(Overlay.BUILD_NAMESPACE);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
        .containsExactly(tuple("ServiceAccount", "build-service", Overlay.NAMESPACE));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyWorkloadHasItsOwnServiceAccountAndATokenOnlyWhereARoleIsBound(String name) {
    Overlay overlay = Overlay.rendered(name);
    Set<String> accounts =
        overlay.all("ServiceAccount", ServiceAccount.class).stream()
            .map(a -> a.getMetadata().getNamespace() + "/" + a.getMetadata().getName())
            .collect(Collectors.toSet());
    Set<String> bound =
        overlay.all("RoleBinding", RoleBinding.class).stream()
            .flatMap(b -> b.getSubjects().stream())
            .map(s -> s.getNamespace() + "/" + s.getName())
            .collect(Collectors.toSet());
    assertThat(accounts).containsAll(bound);

    SoftAssertions softly = new SoftAssertions();
    var templates = PodHardeningTest.templates(overlay);
    Set<String> used =
        templates.values().stream()
            .map(t -> t.getSpec().getServiceAccountName())
            .collect(Collectors.toSet());
    softly.assertThat(used).as("one ServiceAccount per workload").hasSize(templates.size());
    templates.forEach(
        (owner, template) -> {
          String account = Overlay.NAMESPACE + "/" + template.getSpec().getServiceAccountName();
          softly.assertThat(accounts).as("%s's ServiceAccount", owner).contains(account);
          softly
              .assertThat(mountsToken(template, overlay))
              .as("%s mounts an API token", owner)
              .isEqualTo(bound.contains(account));
        });
    // Pods of the build namespace (build Jobs) run as slipway-build, which has no rights and no
    // token.
    ServiceAccount builds =
        overlay.all("ServiceAccount", ServiceAccount.class).stream()
            .filter(a -> Overlay.BUILD_NAMESPACE.equals(a.getMetadata().getNamespace()))
            .findFirst()
            .orElseThrow();
    softly.assertThat(builds.getAutomountServiceAccountToken()).isFalse();
    softly
        .assertThat(bound)
        .doesNotContain(Overlay.BUILD_NAMESPACE + "/" + builds.getMetadata().getName());
    softly.assertAll();
  }

  /** Whether a pod of {@code template} gets a token: its own setting, else its ServiceAccount's. */
  private static boolean mountsToken(PodTemplateSpec template, Overlay overlay) {
    Boolean own = template.getSpec().getAutomountServiceAccountToken();
    if (own != null) {
      return own;
    }
    return overlay
        .find("ServiceAccount", template.getSpec().getServiceAccountName())
        .map(o -> Models.bind(o, ServiceAccount.class).getAutomountServiceAccountToken())
        .map(b -> b == null || b)
        .orElse(true);
  }

  private static String describe(PolicyRule rule) {
    return String.join(",", rule.getApiGroups())
        + "/"
        + String.join(",", rule.getResources())
        + ": "
        + String.join(", ", rule.getVerbs());
  }
}

package dev.slipway.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The RBAC a target cluster grants deploy-service (k8s/target-cluster) is what the rollout code
 * calls and nothing more: no wildcard, no verb it does not use.
 */
class RbacManifestTest {

  private static final Path MANIFESTS = Path.of("..", "k8s", "target-cluster");

  @Test
  void deployerRoleGrantsExactlyWhatRolloutsUse() throws IOException {
    ClusterRole deployer = clusterRole("slipway-deployer");

    assertThat(grants(deployer))
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "apps/deployments", List.of("create", "delete", "get", "patch"),
                    "/services", List.of("create", "patch"),
                    "/pods", List.of("list"),
                    "/events", List.of("list"),
                    "gateway.networking.k8s.io/httproutes", List.of("get", "patch"))));
  }

  @Test
  void namespaceCreatorGrantsOnlyReadingAndCreatingNamespaces() throws IOException {
    assertThat(grants(clusterRole("slipway-namespace-creator")))
        .containsExactlyEntriesOf(Map.of("/namespaces", List.of("create", "get")));
  }

  @Test
  void noManifestUsesAWildcard() throws IOException {
    for (HasMetadata object : all()) {
      if (object instanceof ClusterRole role) {
        for (PolicyRule rule : role.getRules()) {
          assertThat(rule.getVerbs()).doesNotContain("*");
          assertThat(rule.getResources()).doesNotContain("*");
          assertThat(rule.getApiGroups()).doesNotContain("*");
        }
      }
    }
  }

  private static Map<String, List<String>> grants(ClusterRole role) {
    Map<String, List<String>> grants = new TreeMap<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          grants.put(group + "/" + resource, List.copyOf(new TreeSet<>(rule.getVerbs())));
        }
      }
    }
    return grants;
  }

  private static ClusterRole clusterRole(String name) throws IOException {
    return all().stream()
        .filter(ClusterRole.class::isInstance)
        .map(ClusterRole.class::cast)
        .filter(role -> name.equals(role.getMetadata().getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ClusterRole " + name + " under " + MANIFESTS));
  }

  private static List<HasMetadata> all() throws IOException {
    try (Stream<Path> files = Files.walk(MANIFESTS)) {
      return files
          .filter(file -> file.toString().endsWith(".yaml"))
          .filter(file -> !file.getFileName().toString().equals("kustomization.yaml"))
          .flatMap(RbacManifestTest::objects)
          .toList();
    }
  }

  private static Stream<HasMetadata> objects(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Object parsed = Serialization.unmarshal(in);
      if (parsed instanceof List<?> list) {
        return list.stream().map(HasMetadata.class::cast);
      }
      return Stream.of((HasMetadata) parsed);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The audit store's owner cannot be used by the running service (audit hardening): the database
 * belongs to a role that cannot log in, only the migration Job holds the credentials of the one
 * role that may become it, and audit-service runs with a role that is no member of anything.
 */
class AuditStoreRolesTest {

  private static final String OWNER = "slipway_audit_owner";
  private static final String MIGRATOR = "slipway_audit_migrator";
  private static final String RUNTIME = "slipway_audit_app";

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theOwnerCannotLogInAndOnlyTheMigratorMayBecomeIt(String name) {
    ObjectNode cluster = Overlay.rendered(name).find("Cluster", "audit-service-db").orElseThrow();
    assertThat(cluster.path("spec").path("bootstrap").path("initdb").path("owner").asText())
        .isEqualTo(OWNER);
    Map<String, JsonNode> roles = new HashMap<>();
    cluster
        .path("spec")
        .path("managed")
        .path("roles")
        .forEach(r -> roles.put(r.path("name").asText(), r));
    assertThat(roles).containsOnlyKeys(OWNER, MIGRATOR, RUNTIME);
    assertThat(roles.get(OWNER).path("login").asBoolean(true)).as("owner logs in").isFalse();
    assertThat(roles.get(MIGRATOR).path("inRoles"))
        .extracting(JsonNode::asText)
        .containsExactly(OWNER);
    assertThat(roles.get(MIGRATOR).path("inherit").asBoolean(true))
        .as("migrator inherits the owner's rights")
        .isFalse();
    assertThat(roles.get(RUNTIME).path("inRoles")).isEmpty();
    for (JsonNode role : roles.values()) {
      for (String power :
          List.of("superuser", "createdb", "createrole", "replication", "bypassrls")) {
        assertThat(role.path(power).asBoolean(false))
            .as("%s %s", role.path("name").asText(), power)
            .isFalse();
      }
    }
    assertThat(cluster.path("spec").path("enableSuperuserAccess").asBoolean(false)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theRunningServiceHoldsOnlyTheRuntimeRolesCredentials(String name) {
    Overlay overlay = Overlay.rendered(name);
    Deployment audit =
        overlay
            .find("Deployment", "audit-service")
            .map(o -> Models.bind(o, Deployment.class))
            .orElseThrow();
    Job migrate =
        overlay
            .find("Job", "audit-service-migrate")
            .map(o -> Models.bind(o, Job.class))
            .orElseThrow();
    assertThat(ReferencesTest.references(audit.getSpec().getTemplate()))
        .filteredOn(ref -> ref.startsWith("Secret audit-service-db"))
        .containsExactlyInAnyOrder("Secret audit-service-db-runtime", "Secret audit-service-db-ca");
    assertThat(ReferencesTest.references(migrate.getSpec().getTemplate()))
        .contains("Secret audit-service-db-migrator")
        .doesNotContain("Secret audit-service-db-app", "Secret audit-service-db-superuser");
    assertThat(audit.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .noneMatch(
            e ->
                e.getName().startsWith("QUARKUS_FLYWAY_")
                    || e.getName().startsWith("SLIPWAY_AUDIT_DB_OWNER"));
  }
}

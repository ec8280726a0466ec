package dev.slipway.launcher.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceSettingsTest {

  @TempDir Path state;

  private PlatformSettings settings(String registry, Optional<Path> kubeconfig) {
    return settings(registry, kubeconfig, Map.of());
  }

  private PlatformSettings settings(
      String registry, Optional<Path> kubeconfig, Map<String, String> overrides) {
    Infrastructure infrastructure =
        new Infrastructure() {
          @Override
          public String kafkaBootstrap() {
            return "localhost:19092";
          }

          @Override
          public Postgres postgres() {
            return new Postgres("localhost", 15432, "admin", "admin-password");
          }
        };
    boolean loopback = registry.startsWith("127.");
    return new PlatformSettings(
        new PlatformLayout(Path.of("/checkout"), state),
        PortPlan.local(6443),
        infrastructure,
        new PlatformSettings.Registry(registry, loopback),
        kubeconfig,
        "file:/keys/public-key.pem",
        Optional.empty(),
        JvmOptions.defaults(),
        Duration.ofSeconds(5),
        overrides);
  }

  @Test
  void everyServiceGetsItsPortKafkaItsOwnDatabaseAndTheTokenKey() {
    ServiceSettings services =
        new ServiceSettings(settings("127.0.0.1:5000", Optional.empty()), new LocalSecrets(state));

    Map<String, String> scan = services.environment(PlatformService.SCAN);

    assertThat(scan)
        .containsEntry("QUARKUS_HTTP_PORT", "8083")
        .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "localhost:19092")
        .containsEntry(
            "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://localhost:15432/slipway_scan")
        .containsEntry(
            "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:15432/slipway_scan")
        .containsEntry("SLIPWAY_JWT_PUBLIC_KEY", "file:/keys/public-key.pem")
        .containsEntry("SLIPWAY_SCAN_ADVISORIES_DIRECTORY", "/checkout/infra/advisories");
  }

  @Test
  void aSecondBuildInstanceSharesDatabaseKeyAndCacheButNotPortOrWorkspaces() {
    ServiceSettings services =
        new ServiceSettings(settings("127.0.0.1:5000", Optional.empty()), new LocalSecrets(state));

    Map<String, String> first = services.environment(PlatformService.BUILD);
    Map<String, String> second =
        services.replicaEnvironment(PlatformService.BUILD, "build-service.2", 18082);

    assertThat(second)
        .containsEntry("QUARKUS_HTTP_PORT", "18082")
        .containsEntry("QUARKUS_DATASOURCE_JDBC_URL", first.get("QUARKUS_DATASOURCE_JDBC_URL"))
        .containsEntry("KAFKA_BOOTSTRAP_SERVERS", first.get("KAFKA_BOOTSTRAP_SERVERS"))
        // The signing key and the layer cache live under the shared build folder.
        .containsEntry("SLIPWAY_BUILD_DIR", first.get("SLIPWAY_BUILD_DIR"))
        .containsEntry(
            "SLIPWAY_BUILD_WORKSPACE_DIR",
            Path.of(first.get("SLIPWAY_BUILD_DIR"), "build-service.2", "workspaces").toString());
    assertThat(first).doesNotContainKey("SLIPWAY_BUILD_WORKSPACE_DIR");
    assertThat(services.replicaEnvironment(PlatformService.SCAN, "scan-service.2", 18083))
        .containsEntry("QUARKUS_HTTP_PORT", "18083")
        .doesNotContainKey("SLIPWAY_BUILD_WORKSPACE_DIR");
  }

  @Test
  void thePlatformsOverridesReachEveryServiceAndWinOverTheTopologysOwnSettings() {
    ServiceSettings services =
        new ServiceSettings(
            settings(
                "127.0.0.1:5000",
                Optional.empty(),
                Map.of(
                    "SLIPWAY_DEPLOY_ROLLOUTS_LEASE", "10s",
                    "SLIPWAY_SCAN_ADVISORIES_DIRECTORY", "/elsewhere")),
            new LocalSecrets(state));

    assertThat(services.environment(PlatformService.DEPLOY))
        .containsEntry("SLIPWAY_DEPLOY_ROLLOUTS_LEASE", "10s");
    assertThat(services.environment(PlatformService.SCAN))
        .containsEntry("SLIPWAY_SCAN_ADVISORIES_DIRECTORY", "/elsewhere");
  }

  @Test
  void auditServiceRunsAsItsAppendOnlyRoleNeverAsTheAdministrator() throws Exception {
    Files.createDirectories(state.resolve("audit"));
    Files.writeString(state.resolve("audit/checkpoint-key"), "PRIVATE+KEY\n");
    LocalSecrets secrets = new LocalSecrets(state.resolve("secrets"));
    ServiceSettings services =
        new ServiceSettings(settings("127.0.0.1:5000", Optional.empty()), secrets);

    Map<String, String> audit = services.environment(PlatformService.AUDIT);

    assertThat(audit)
        .containsEntry("QUARKUS_DATASOURCE_USERNAME", "slipway_audit_app")
        .containsEntry("QUARKUS_DATASOURCE_PASSWORD", secrets.get("audit-db-password"))
        .containsEntry("SLIPWAY_AUDIT_CHECKPOINT_KEY", "PRIVATE+KEY")
        .doesNotContainValue("admin-password");
  }

  @Test
  void aLoopbackRegistryIsPlainHttpAndAnyOtherIsNot() {
    LocalSecrets secrets = new LocalSecrets(state.resolve("secrets"));

    assertThat(
            new ServiceSettings(settings("127.0.0.1:5000", Optional.empty()), secrets)
                .environment(PlatformService.BUILD))
        .containsEntry("SLIPWAY_BUILD_REGISTRY_ADDRESS", "127.0.0.1:5000")
        .containsEntry("SLIPWAY_BUILD_REGISTRY_INSECURE", "true")
        .containsEntry("SLIPWAY_BUILD_SOURCE_ALLOWED_FILE_ROOTS", state.resolve("git").toString());
    assertThat(
            new ServiceSettings(settings("registry.example.com", Optional.empty()), secrets)
                .environment(PlatformService.BUILD))
        .containsEntry("SLIPWAY_BUILD_REGISTRY_INSECURE", "false");
  }

  @Test
  void deployServiceDeploysToTheSandboxUnlessAClusterIsGiven() {
    LocalSecrets secrets = new LocalSecrets(state.resolve("secrets"));

    assertThat(
            new ServiceSettings(settings("127.0.0.1:5000", Optional.empty()), secrets)
                .environment(PlatformService.DEPLOY))
        .containsEntry(
            "SLIPWAY_DEPLOY_CLUSTERS_LOCAL_KUBECONFIG",
            state.resolve("sandbox/kubeconfig").toString());
    assertThat(
            new ServiceSettings(
                    settings("127.0.0.1:5000", Optional.of(Path.of("/home/ada/.kube/config"))),
                    secrets)
                .environment(PlatformService.DEPLOY))
        .containsEntry("SLIPWAY_DEPLOY_CLUSTERS_LOCAL_KUBECONFIG", "/home/ada/.kube/config");
  }
}

package dev.slipway.launcher.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each service's environment in a platform: its port, Kafka, its own database, the token key, and
 * what it needs beyond them. These are the settings their Deployments in {@code k8s/} get ({@code
 * ServiceSettingsTest} there keeps the names true), so nothing in a service knows it runs locally.
 */
final class ServiceSettings {

  private final PlatformSettings settings;
  private final LocalSecrets secrets;

  ServiceSettings(PlatformSettings settings, LocalSecrets secrets) {
    this.settings = settings;
    this.secrets = secrets;
  }

  /**
   * Database connections given back at rest (also in {@code k8s/base/config/slipway.env}): every
   * open connection is a PostgreSQL backend of its own (1.5-2 MB each at rest), and a service's
   * reactive pool (up to 20) kept every connection its start and its last burst opened. A
   * connection unused for 30 s is closed, by the reactive pools and the JDBC pools alike, so a
   * platform at rest keeps the few its pollers use.
   */
  static final Map<String, String> POOLS_AT_REST =
      Map.of(
          "QUARKUS_DATASOURCE_REACTIVE_IDLE_TIMEOUT", "PT30S",
          "QUARKUS_DATASOURCE_JDBC_IDLE_REMOVAL_INTERVAL", "PT30S");

  /**
   * The environment {@code service} runs with; its own settings come after the shared ones, and the
   * platform's overrides last.
   */
  Map<String, String> environment(PlatformService service) {
    Infrastructure.Postgres postgres = settings.infrastructure().postgres();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", String.valueOf(settings.ports().of(service)));
    env.put("KAFKA_BOOTSTRAP_SERVERS", settings.infrastructure().kafkaBootstrap());
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(service.database()));
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(service.database()));
    env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
    env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
    env.put("SLIPWAY_JWT_PUBLIC_KEY", settings.jwtPublicKey());
    env.putAll(POOLS_AT_REST);
    env.putAll(ownSettings(service));
    env.putAll(settings.serviceOverrides());
    return env;
  }

  /**
   * The environment of one more instance of {@code service}, the process {@code name} (e.g. {@code
   * build-service.2}) on {@code port}: the service's own, so it shares its database, topics and
   * consumer groups; for build-service a workspace folder of its own (as a pod's emptyDir), while
   * the signing key and the layer cache stay shared (as replicas share a Secret and a volume).
   */
  Map<String, String> replicaEnvironment(PlatformService service, String name, int port) {
    Map<String, String> env = environment(service);
    env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
    if (service == PlatformService.BUILD) {
      env.put(
          "SLIPWAY_BUILD_WORKSPACE_DIR",
          settings.layout().build().resolve(name).resolve("workspaces").toString());
    }
    return env;
  }

  private Map<String, String> ownSettings(PlatformService service) {
    PlatformLayout layout = settings.layout();
    Map<String, String> env = new LinkedHashMap<>();
    switch (service) {
      case TRIGGER -> env.put("SLIPWAY_TRIGGER_SECRET_KEY", secrets.get("trigger-secret-key"));
      case BUILD -> {
        env.put("SLIPWAY_BUILD_REGISTRY_ADDRESS", settings.registry().address());
        env.put("SLIPWAY_BUILD_REGISTRY_INSECURE", String.valueOf(settings.registry().insecure()));
        env.put("SLIPWAY_BUILD_SOURCE_ALLOWED_FILE_ROOTS", layout.git().toString());
        env.put("SLIPWAY_BUILD_DIR", layout.build().toString());
      }
      case SCAN -> env.put("SLIPWAY_SCAN_ADVISORIES_DIRECTORY", layout.advisories().toString());
      case DEPLOY -> {
        env.put(
            "SLIPWAY_DEPLOY_CLUSTERS_LOCAL_KUBECONFIG", settings.clusterKubeconfig().toString());
        env.put("SLIPWAY_DEPLOY_CLUSTERS_LOCAL_CREATE_NAMESPACES", "true");
        if (settings.registry().insecure()) {
          // The loopback registry speaks plain HTTP: manifests and provenance are read from it so.
          env.put("SLIPWAY_DEPLOY_REGISTRY_INSECURE", settings.registry().address());
          env.put("SLIPWAY_DEPLOY_PROVENANCE_PLAIN_HTTP_REGISTRIES", settings.registry().address());
        }
        // A rollout applies only digests whose provenance a key build-service publishes signed.
        env.put(
            "SLIPWAY_DEPLOY_TRUSTED_BUILD_KEYS",
            "http://127.0.0.1:" + settings.ports().of(PlatformService.BUILD) + "/api/builds/keys");
      }
      case AUDIT -> {
        // The service runs as a role that may only INSERT and SELECT; the migrations ran before,
        // as another role (AuditStore). It signs checkpoints with a key kept in the state folder.
        env.put("QUARKUS_DATASOURCE_USERNAME", AuditStore.APP_ROLE);
        env.put("QUARKUS_DATASOURCE_PASSWORD", secrets.get(AuditStore.APP_PASSWORD));
        env.put("SLIPWAY_AUDIT_CHECKPOINT_KEY", checkpointKey());
        env.put("SLIPWAY_AUDIT_CHECKPOINT_FILE", layout.auditCheckpoint().toString());
      }
    }
    return env;
  }

  private String checkpointKey() {
    try {
      return Files.readString(settings.layout().audit().resolve("checkpoint-key")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the audit checkpoint key is missing (AuditStore makes it)", e);
    }
  }
}

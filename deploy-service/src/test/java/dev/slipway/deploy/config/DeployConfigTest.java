package dev.slipway.deploy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Clusters can be registered from environment variables alone, as ./slipway up registers local. */
class DeployConfigTest {

  @Test
  void clusterRegisteredByKubeconfigFromTheEnvironment() {
    DeployConfig config =
        config(
            Map.of(
                "SLIPWAY_DEPLOY_CLUSTERS_LOCAL_KUBECONFIG", "/srv/slipway/sandbox/kubeconfig",
                "SLIPWAY_DEPLOY_CLUSTERS_LOCAL_CREATE_NAMESPACES", "true"));

    DeployConfig.Cluster local = config.clusters().get("local");
    assertThat(local.kubeconfig()).contains("/srv/slipway/sandbox/kubeconfig");
    assertThat(local.createNamespaces()).isTrue();
    assertThat(local.inCluster()).isFalse();
  }

  @Test
  void clusterRegisteredByApiUrlAndTokenSecretFromTheEnvironment() {
    DeployConfig config =
        config(
            Map.of(
                "SLIPWAY_DEPLOY_CLUSTERS_LOCAL_API_URL", "http://127.0.0.1:6443",
                "SLIPWAY_DEPLOY_CLUSTERS_LOCAL_TOKEN_SECRET_NAMESPACE", "slipway-system",
                "SLIPWAY_DEPLOY_CLUSTERS_LOCAL_TOKEN_SECRET_NAME", "local-deployer"));

    DeployConfig.Cluster local = config.clusters().get("local");
    assertThat(local.apiUrl()).contains("http://127.0.0.1:6443");
    assertThat(local.tokenSecret()).isPresent();
    assertThat(local.tokenSecret().get().name()).isEqualTo("local-deployer");
    assertThat(local.tokenSecret().get().key()).isEqualTo("token");
  }

  private static DeployConfig config(Map<String, String> environment) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withSources(new EnvConfigSource(environment, 300))
            // The one setting without a default (application.properties names the topics).
            .withSources(
                new PropertiesConfigSource(
                    Map.of("slipway.deploy.outbox.topics", "deploy.done"), "test", 100))
            // Quarkus' own duration format ("5s"), which the service's defaults use.
            .withConverter(Duration.class, 200, new DurationConverter())
            .withMapping(DeployConfig.class)
            .build();
    return config.getConfigMapping(DeployConfig.class);
  }
}

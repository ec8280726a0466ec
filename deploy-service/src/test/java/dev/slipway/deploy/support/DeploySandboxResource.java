package dev.slipway.deploy.support;

import dev.slipway.sandbox.ProgrammableBehaviourPolicy;
import dev.slipway.sandbox.RolloutSimulator;
import dev.slipway.sandbox.SandboxServer;
import dev.slipway.testsupport.OciRegistry;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Starts the clusters of {@link Sandbox} for the service under test and registers them: {@code
 * local} by a kubeconfig file, {@code remote} by API URL with its token in a Secret of {@code
 * local} (as a remote cluster is registered in production), and {@code offline}, whose API URL
 * nothing listens on. The service's log also goes to a file, so tests can read what it logged.
 */
public class DeploySandboxResource implements QuarkusTestResourceLifecycleManager {

  /** The file the service under test logs to. */
  public static final Path LOG_FILE = Path.of("target", "deploy-service-test.log");

  private static final RolloutSimulator.Settings TIMINGS =
      new RolloutSimulator.Settings(
          Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofMillis(100), 2);

  private Sandbox sandbox;

  @Override
  public Map<String, String> start() {
    ProgrammableBehaviourPolicy localPolicy = new ProgrammableBehaviourPolicy();
    ProgrammableBehaviourPolicy remotePolicy = new ProgrammableBehaviourPolicy();
    SandboxServer local = SandboxServer.start(0, localPolicy, TIMINGS);
    SandboxServer remote = SandboxServer.start(0, remotePolicy, TIMINGS);
    PrometheusStub prometheus = new PrometheusStub();
    String token = "remote-token-" + UUID.randomUUID();
    local.createNamespace("slipway-system");
    local
        .client()
        .secrets()
        .inNamespace("slipway-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("remote-deployer")
                .withNamespace("slipway-system")
                .endMetadata()
                .withType("kubernetes.io/service-account-token")
                .addToData(
                    "token",
                    Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    Path kubeconfig = Path.of("target", "sandbox-" + UUID.randomUUID(), "kubeconfig");
    local.writeKubeconfig(kubeconfig, "local");
    sandbox = new Sandbox(local, localPolicy, remote, remotePolicy, prometheus, token);

    Map<String, String> config = new HashMap<>();
    config.put("slipway.deploy.clusters.local.kubeconfig", kubeconfig.toAbsolutePath().toString());
    config.put("slipway.deploy.clusters.local.create-namespaces", "true");
    config.put("slipway.deploy.clusters.local.prometheus-url", prometheus.url());
    config.put("slipway.deploy.clusters.remote.api-url", remote.url());
    config.put("slipway.deploy.clusters.remote.token-secret.cluster", "local");
    config.put("slipway.deploy.clusters.remote.token-secret.namespace", "slipway-system");
    config.put("slipway.deploy.clusters.remote.token-secret.name", "remote-deployer");
    config.put("slipway.deploy.clusters.remote.create-namespaces", "true");
    config.put("slipway.deploy.clusters.remote.prometheus-url", prometheus.url());
    config.put("slipway.deploy.clusters.offline.api-url", "http://127.0.0.1:" + closedPort());
    config.put("slipway.deploy.clusters.offline.token-secret.cluster", "local");
    config.put("slipway.deploy.clusters.offline.token-secret.namespace", "slipway-system");
    config.put("slipway.deploy.clusters.offline.token-secret.name", "remote-deployer");
    config.put("slipway.deploy.clusters.offline.connect-timeout", "500ms");
    config.put("slipway.deploy.registry.insecure", OciRegistry.address());
    config.put("quarkus.log.file.enabled", "true");
    config.put("quarkus.log.file.path", LOG_FILE.toAbsolutePath().toString());
    return config;
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        sandbox, new TestInjector.AnnotatedAndMatchesType(InjectSandbox.class, Sandbox.class));
  }

  @Override
  public void stop() {
    if (sandbox != null) {
      sandbox.local().close();
      sandbox.remote().close();
      sandbox.prometheus().close();
    }
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

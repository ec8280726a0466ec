package dev.slipway.deploy.bench;

import dev.slipway.sandbox.BehaviourPolicy;
import dev.slipway.sandbox.RolloutSimulator;
import dev.slipway.sandbox.SandboxServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** A sandbox cluster, registered as {@code bench}, whose Deployments become available at once. */
public class BenchClusterResource implements QuarkusTestResourceLifecycleManager {

  private SandboxServer cluster;

  @Override
  public Map<String, String> start() {
    cluster =
        SandboxServer.start(
            0,
            BehaviourPolicy.ALWAYS_AVAILABLE,
            new RolloutSimulator.Settings(
                Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(250), 4));
    Path kubeconfig = Path.of("target", "bench-" + UUID.randomUUID(), "kubeconfig");
    cluster.writeKubeconfig(kubeconfig, "bench");
    return Map.of(
        "slipway.deploy.clusters.bench.kubeconfig",
        kubeconfig.toAbsolutePath().toString(),
        "slipway.deploy.clusters.bench.create-namespaces",
        "true");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(cluster, new TestInjector.MatchesType(SandboxServer.class));
  }

  @Override
  public void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }
}

package dev.slipway.build;

import dev.slipway.testsupport.OciRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points build-service under test at the real loopback OCI registry of the test JVM. */
public class BuildTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    return Map.of(
        "slipway.build.registry.address",
        OciRegistry.address(),
        "slipway.build.registry.insecure",
        "true");
  }

  @Override
  public void stop() {
    // The registry serves every test class of this JVM and stops with it.
  }
}

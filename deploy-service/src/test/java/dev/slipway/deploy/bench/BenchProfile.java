package dev.slipway.deploy.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The service with production timings and one more cluster, {@code bench}. */
public class BenchProfile implements QuarkusTestProfile {

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "slipway.deploy.rollouts.poll-interval", "2s",
        "slipway.deploy.rollouts.claim-interval", "1s",
        "slipway.deploy.rollouts.lease", "30s",
        "slipway.deploy.outbox.poll-interval", "1s");
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(BenchClusterResource.class));
  }
}

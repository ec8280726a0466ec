package dev.slipway.build;

import dev.slipway.build.config.BuildConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;

/** build-service's real configuration mapping, with its defaults, for tests without Quarkus. */
public final class BuildConfigs {

  private BuildConfigs() {}

  /** The configuration with {@code properties} ({@code slipway.build.*}) over the defaults. */
  public static BuildConfig of(Map<String, String> properties) {
    Map<String, String> all = new HashMap<>();
    all.put("slipway.build.workspace-dir", "target/build-workspaces");
    all.put("slipway.build.cache-dir", "target/build-cache");
    all.put("slipway.build.provenance.key-file", "target/provenance/signing-key.pem");
    // Required since the outbox moved to work/ (no default: each service names its topics).
    all.put("slipway.build.outbox.topics", "build.done");
    all.putAll(properties);
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(BuildConfig.class)
            // Durations as Quarkus reads them (2s, 10m), not only ISO-8601.
            .withConverter(java.time.Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(all, "test", 500))
            .build();
    return config.getConfigMapping(BuildConfig.class);
  }
}

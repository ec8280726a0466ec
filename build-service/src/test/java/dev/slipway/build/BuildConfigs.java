package dev.slipway.build;

import dev.slipway.build.config.BuildConfig;
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
    all.putAll(properties);
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(BuildConfig.class)
            .withSources(new PropertiesConfigSource(all, "test", 500))
            .build();
    return config.getConfigMapping(BuildConfig.class);
  }
}

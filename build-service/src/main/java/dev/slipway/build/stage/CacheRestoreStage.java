package dev.slipway.build.stage;

import dev.slipway.build.cache.BuildCache;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.workspace.RepositoryPaths;
import dev.slipway.events.BuildSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Restores the cached paths of {@code .slipway.yaml}'s cache section before the steps, from the
 * entries the build's ref may read (its own, then the protected refs'; see {@link BuildCache}). An
 * entry that fails its checksum is dropped and the build goes on without it.
 */
@ApplicationScoped
public class CacheRestoreStage implements Stage {

  private final BuildCache cache;

  public CacheRestoreStage(BuildConfig config) {
    this.cache = new BuildCache(config.cacheDir());
  }

  @Override
  public String name() {
    return "cache-restore";
  }

  @Override
  public boolean appliesTo(BuildContext build) {
    return build.spec().cache() != null;
  }

  @Override
  public void run(BuildContext build) {
    BuildSpec spec = build.spec();
    BuildSettings settings = build.commit().pipeline().build();
    String ref = build.commit().ref();
    BuildCache.Scope scope = BuildCache.Scope.of(ref, settings.isProtected(ref));
    build.cacheScope(scope);
    try {
      String key = cache.key(build.paths(), spec);
      build.cacheKey(key);
      Optional<BuildCache.Restored> restored =
          cache.restore(build.application(), scope, key, build.paths(), spec);
      build.cacheRestored(restored.orElse(null));
      build
          .log()
          .info(
              "==> cache "
                  + restored
                      .map(
                          r ->
                              "restored from "
                                  + (r.scope().equals("protected")
                                      ? "the protected refs' entry"
                                      : "this ref's entry"))
                      .orElse("miss")
                  + " ("
                  + spec.cache().paths()
                  + ", key "
                  + key.substring(0, 12)
                  + (settings.isProtected(ref)
                      ? ", protected ref"
                      : ", writes this ref's own entry")
                  + ")");
    } catch (BuildCache.CorruptEntryException e) {
      build.log().info("==> cache entry ignored: " + e.getMessage());
    } catch (RepositoryPaths.UnsafePathException e) {
      throw StageFailure.failed(name(), e.getMessage());
    }
  }
}

package dev.slipway.build.stage;

import dev.slipway.build.cache.BuildCache;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.workspace.RepositoryPaths;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Saves the cached paths after the steps succeeded, into the one entry the build's ref may write
 * (replacing it atomically); kept as it is when the build restored that very entry.
 */
@ApplicationScoped
public class CacheSaveStage implements Stage {

  private final BuildCache cache;

  public CacheSaveStage(BuildConfig config) {
    this.cache = new BuildCache(config.cacheDir());
  }

  @Override
  public String name() {
    return "cache-save";
  }

  @Override
  public boolean appliesTo(BuildContext build) {
    return build.spec().cache() != null && build.cacheKey() != null;
  }

  @Override
  public void run(BuildContext build) {
    BuildCache.Scope scope = build.cacheScope();
    if (build.cacheRestored() != null && build.cacheRestored().scope().equals(scope.write())) {
      build.log().info("==> cache kept (this build restored the entry it would write)");
      return;
    }
    try {
      cache.save(build.application(), scope, build.cacheKey(), build.paths(), build.spec());
      build
          .log()
          .info(
              "==> cache saved"
                  + (scope.write().equals("protected")
                      ? " for the protected refs"
                      : " for this ref only"));
    } catch (RepositoryPaths.UnsafePathException e) {
      throw StageFailure.failed(name(), e.getMessage());
    }
  }
}

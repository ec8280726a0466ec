package dev.slipway.build.service;

import dev.slipway.build.BuildOutcome;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.executor.Cancellation;
import dev.slipway.build.executor.StepExecutor;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.repository.Claim;
import dev.slipway.build.stage.BuildContext;
import dev.slipway.build.stage.BuildPhases;
import dev.slipway.build.stage.CacheRestoreStage;
import dev.slipway.build.stage.CacheSaveStage;
import dev.slipway.build.stage.CloneStage;
import dev.slipway.build.stage.ConfigStage;
import dev.slipway.build.stage.ImageStage;
import dev.slipway.build.stage.ManifestStage;
import dev.slipway.build.stage.ProvenanceStage;
import dev.slipway.build.stage.SbomStage;
import dev.slipway.build.stage.StageFailure;
import dev.slipway.build.stage.StageLoop;
import dev.slipway.build.stage.StepsStage;
import dev.slipway.build.workspace.BuildWorkspace;
import dev.slipway.build.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs one claim of a build from an empty workspace to its outcome, as a list of named stages (see
 * {@link StageLoop}): clone at the commit, read {@code .slipway.yaml}, restore the cache, run the
 * steps in containers, save the cache, build and push the image, then its SBOM, render and push the
 * application's own manifests (with a {@code deploy} section), then sign and attach its provenance.
 * Every way out (a refused URL, an invalid file, a failing step, a timeout, a cancel) becomes an
 * outcome that names the stage or step and why, with the log's tail; nothing escapes as an
 * exception but a bug.
 */
@ApplicationScoped
public class BuildRunner {

  private static final Logger LOG = Logger.getLogger(BuildRunner.class);

  private final BuildConfig config;
  private final Workspaces workspaces;
  private final StepExecutor executor;
  private final StageLoop stages;

  public BuildRunner(
      BuildConfig config,
      Workspaces workspaces,
      StepExecutor executor,
      CloneStage clone,
      ConfigStage configStage,
      CacheRestoreStage cacheRestore,
      StepsStage steps,
      CacheSaveStage cacheSave,
      ImageStage image,
      SbomStage sbom,
      ManifestStage manifests,
      ProvenanceStage provenance) {
    this.config = config;
    this.workspaces = workspaces;
    this.executor = executor;
    this.stages =
        new StageLoop(
            List.of(
                clone,
                configStage,
                cacheRestore,
                steps,
                cacheSave,
                image,
                sbom,
                manifests,
                provenance));
  }

  /** Runs the build; returns how it ended. */
  public BuildOutcome run(
      Claim claim, BuildLog log, Cancellation cancellation, BuildPhases phases) {
    Instant start = Instant.now();
    log.info(
        "==> build "
            + claim.buildId()
            + " (attempt "
            + claim.attempt()
            + ") of "
            + claim.commit().subject()
            + " at "
            + claim.commit().data().commitSha());
    BuildWorkspace workspace;
    try {
      long creating = System.nanoTime();
      workspace = workspaces.create(claim.buildId());
      phases.took("workspace", (System.nanoTime() - creating) / 1_000_000);
    } catch (IOException | UncheckedIOException e) {
      BuildContext failed =
          new BuildContext(
              claim, log, cancellation, null, start, start.plus(config.buildTimeout()), phases);
      return stages.fail(
          failed, StageFailure.failed("workspace", "cannot prepare: " + e.getMessage()));
    }
    executor.prepare(claim.buildId());
    try (AutoCloseable quota = workspaces.enforce(workspace, cancellation)) {
      BuildContext build =
          new BuildContext(
              claim,
              log,
              cancellation,
              workspace,
              start,
              start.plus(config.buildTimeout()),
              phases);
      return stages.run(build);
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      executor.release(claim.buildId());
    }
  }

  /**
   * Removes the workspace of {@code claim} (unless {@code slipway.build.keep-workspaces}): called
   * once its outcome is recorded, or left to another claim, so the build.done does not wait for it.
   * A leftover is also removed by the next {@link Workspaces#create} of the same build.
   */
  public void cleanUp(Claim claim, BuildPhases phases) {
    if (config.keepWorkspaces()) {
      return;
    }
    long deleting = System.nanoTime();
    try {
      workspaces.delete(workspaces.of(claim.buildId()));
      phases.took("cleanup", (System.nanoTime() - deleting) / 1_000_000);
    } catch (IOException | UncheckedIOException e) {
      LOG.warnf("build %s: could not delete the workspace: %s", claim.buildId(), e.getMessage());
    }
  }
}

package dev.slipway.build.executor;

import dev.slipway.build.image.PushedImage;
import dev.slipway.build.log.BuildLog;

/**
 * Runs a build's code where it cannot reach the platform: its steps in order, each in a container
 * of the toolchain image with its timeout, streaming their output to the build log, stopping at the
 * first that fails and stopping everything it started on cancel or timeout; and the image build of
 * a Dockerfile (Buildah), in a container of its own, never in this service's process.
 */
public interface StepExecutor {

  /**
   * Build {@code buildId} starts: the executor may make ready, in the background, what its steps
   * will need (the steps' network namespace), so the steps stage does not wait for it; {@link
   * #release} ends it when the build is over.
   */
  default void prepare(String buildId) {}

  /** Build {@code buildId} is over: what {@link #prepare} made and no step used is removed. */
  default void release(String buildId) {}

  /** Runs the steps; returns only when nothing it started is left running. */
  StepsResult run(
      StepsRequest request, BuildLog log, StepListener listener, Cancellation cancellation);

  /**
   * Builds and pushes the Dockerfile image of {@code request}; throws {@link
   * dev.slipway.build.image.ImageException} naming the stage (image or push) when it cannot.
   */
  PushedImage buildImage(ImageBuildRequest request, BuildLog log, Cancellation cancellation);
}

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

  /** Runs the steps; returns only when nothing it started is left running. */
  StepsResult run(
      StepsRequest request, BuildLog log, StepListener listener, Cancellation cancellation);

  /**
   * Builds and pushes the Dockerfile image of {@code request}; throws {@link
   * dev.slipway.build.image.ImageException} naming the stage (image or push) when it cannot.
   */
  PushedImage buildImage(ImageBuildRequest request, BuildLog log, Cancellation cancellation);
}

package dev.slipway.deploy;

import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;

/**
 * A release that served an environment: what restoring it puts back, exactly.
 *
 * @param revision its number
 * @param rolloutId the rollout that made it
 * @param image repository reference of its image
 * @param imageDigest its digest
 * @param spec the environment settings it was applied with
 * @param runId its run
 * @param commitSha its commit
 * @param run its run's context, when known
 */
public record Revision(
    long revision,
    String rolloutId,
    String image,
    String imageDigest,
    EnvironmentSpec spec,
    String runId,
    String commitSha,
    RunContext run) {

  /** Its image pinned by digest. */
  public String pinnedImage() {
    return ImagePin.pin(image, imageDigest);
  }
}

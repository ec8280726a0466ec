package dev.slipway.deploy;

import dev.slipway.events.DeployRequested;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A rollout as a worker reads it at the start of each step: the request, what was settled when it
 * started, and its progress.
 *
 * @param id the rollout's id (the deploy.requested event id)
 * @param runId its run
 * @param commitSha its commit, when known
 * @param application the application
 * @param environment the environment
 * @param image repository reference of the requested image
 * @param imageDigest the requested digest
 * @param reason why it was requested
 * @param requestedBy who asked
 * @param run the run's context: from the request, or what was stored for the image
 * @param approvers who approved it
 * @param targetRevision for a ROLLBACK request, the revision to restore
 * @param status QUEUED or RUNNING while a worker has it
 * @param progress where it is
 * @param cluster the environment's cluster, once started
 * @param namespace the environment's namespace, once started
 * @param strategy how it replaces pods, once started
 * @param spec the environment settings it applies, once started
 * @param revision the release revision it creates, once started
 * @param restoreRevision the last successful revision when it started: what a rollback restores
 * @param startedAt when a worker first took it
 */
public record RolloutState(
    String id,
    String runId,
    String commitSha,
    String application,
    String environment,
    String image,
    String imageDigest,
    DeployRequested.Reason reason,
    String requestedBy,
    RunContext run,
    List<String> approvers,
    Long targetRevision,
    RolloutStatus status,
    Progress progress,
    String cluster,
    String namespace,
    EnvironmentSpec.Strategy strategy,
    EnvironmentSpec spec,
    Long revision,
    Long restoreRevision,
    OffsetDateTime startedAt) {

  /** The requested image pinned by digest. */
  public String pinnedImage() {
    return ImagePin.pin(image, imageDigest);
  }

  /** Whether the environment splits canary traffic with an HTTPRoute. */
  public boolean routed() {
    return spec != null && spec.deployment().httpRoute() != null;
  }
}

package dev.slipway.deploy;

import dev.slipway.events.DeployRequested;
import dev.slipway.events.EnvironmentSpec;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One revision of an application in an environment: a rollout that started.
 *
 * @param revision counts up per application and environment from 1
 * @param rolloutId the rollout that made it
 * @param image repository reference of the image
 * @param imageDigest the digest it put in place
 * @param runId the pipeline run it belongs to
 * @param commitSha the commit the run built
 * @param author who wrote that commit, when known
 * @param requestReason why it was requested
 * @param requestedBy who asked
 * @param approvers who approved it, for a manual promotion
 * @param strategy how it replaced pods
 * @param status how it ended (RUNNING while it goes on)
 * @param outcome why it ended so
 * @param startedAt when it started
 * @param finishedAt when it ended
 */
public record Release(
    long revision,
    String rolloutId,
    String image,
    String imageDigest,
    String runId,
    String commitSha,
    String author,
    DeployRequested.Reason requestReason,
    String requestedBy,
    List<String> approvers,
    EnvironmentSpec.Strategy strategy,
    RolloutStatus status,
    String outcome,
    OffsetDateTime startedAt,
    OffsetDateTime finishedAt) {}

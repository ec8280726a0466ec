package dev.slipway.deploy;

import dev.slipway.events.DeployRequested;
import dev.slipway.events.EnvironmentSpec;
import java.time.OffsetDateTime;

/**
 * One rollout of an image into an environment, as deploy-service tracks it.
 *
 * @param id the rollout's id: the id of the deploy.requested event that asked for it
 * @param runId the pipeline run
 * @param application the application deployed
 * @param environment the target environment
 * @param image repository reference of the image
 * @param imageDigest content digest the rollout pins
 * @param reason why it was requested
 * @param requestedBy the user or service that asked
 * @param status where the rollout stands
 * @param phase the step of the state machine it is in (DONE when finished)
 * @param step the canary step it is at (0-based), when canarying
 * @param cluster the environment's cluster, once started
 * @param namespace the environment's namespace, once started
 * @param strategy how it replaces pods, once started
 * @param revision the release revision it created; null when it made no change or did not start
 * @param servingDigest the digest serving when it finished
 * @param outcome why it ended as it did, when finished
 * @param requestedAt when the deploy.requested event happened
 * @param startedAt when a worker started it
 * @param finishedAt when it finished
 */
public record Rollout(
    String id,
    String runId,
    String application,
    String environment,
    String image,
    String imageDigest,
    DeployRequested.Reason reason,
    String requestedBy,
    RolloutStatus status,
    RolloutPhase phase,
    int step,
    String cluster,
    String namespace,
    EnvironmentSpec.Strategy strategy,
    Long revision,
    String servingDigest,
    String outcome,
    OffsetDateTime requestedAt,
    OffsetDateTime startedAt,
    OffsetDateTime finishedAt) {}

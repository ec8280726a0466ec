package dev.slipway.deploy;

import java.time.OffsetDateTime;

/**
 * One rollout of an image into an environment, as deploy-service tracks it.
 *
 * @param eventId id of the deploy.requested event that asked for it
 * @param runId the pipeline run
 * @param application the application deployed
 * @param environment the target environment
 * @param image repository reference of the image
 * @param imageDigest content digest the rollout pins
 * @param reason why it was requested (SCAN_PASSED, PROMOTION, APPROVAL, MANUAL, ROLLBACK)
 * @param requestedBy the user or service that asked
 * @param status QUEUED until the rollout starts
 * @param requestedAt when the deploy.requested event happened
 */
public record Rollout(
    String eventId,
    String runId,
    String application,
    String environment,
    String image,
    String imageDigest,
    String reason,
    String requestedBy,
    String status,
    OffsetDateTime requestedAt) {}

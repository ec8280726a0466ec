package dev.slipway.scan;

import java.time.OffsetDateTime;

/**
 * One scan of a built image, as scan-service tracks it.
 *
 * @param eventId id of the build.done event that produced the image
 * @param runId the pipeline run
 * @param application the application the image belongs to
 * @param commitSha the commit the image was built from
 * @param image repository reference of the image
 * @param imageDigest content digest of the image
 * @param sbomRef where the image's CycloneDX SBOM is stored
 * @param status PENDING until the scanner takes it
 * @param requestedAt when the build.done event happened
 */
public record Scan(
    String eventId,
    String runId,
    String application,
    String commitSha,
    String image,
    String imageDigest,
    String sbomRef,
    String status,
    OffsetDateTime requestedAt) {}

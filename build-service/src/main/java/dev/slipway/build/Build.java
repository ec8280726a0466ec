package dev.slipway.build;

import java.time.OffsetDateTime;

/**
 * One build of a commit, as build-service tracks it.
 *
 * @param eventId id of the commit.received event that asked for it
 * @param runId the pipeline run
 * @param application the application built
 * @param commitSha the commit built
 * @param ref the Git ref pushed
 * @param repoUrl where the commit is cloned from
 * @param status QUEUED until a builder takes it
 * @param requestedAt when the commit.received event happened
 */
public record Build(
    String eventId,
    String runId,
    String application,
    String commitSha,
    String ref,
    String repoUrl,
    String status,
    OffsetDateTime requestedAt) {}

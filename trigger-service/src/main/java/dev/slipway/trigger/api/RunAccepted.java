package dev.slipway.trigger.api;

/**
 * A run started: its commit.received is in Kafka.
 *
 * @param runId the run every later event of it carries
 * @param application the application it runs
 * @param commit the commit it runs
 * @param ref the ref it runs
 */
public record RunAccepted(String runId, String application, String commit, String ref) {}

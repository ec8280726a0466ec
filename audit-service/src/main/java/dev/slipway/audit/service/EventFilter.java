package dev.slipway.audit.service;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Which audit rows a query wants; a null field does not filter.
 *
 * @param application CloudEvents subject
 * @param runId the pipeline run
 * @param commitSha the commit
 * @param type CloudEvents type, e.g. {@code dev.slipway.deploy.done.v1}
 * @param topic the Kafka topic, e.g. {@code deploy.done.dlq}
 * @param environment the environment of deploy events
 * @param status build status, scan verdict or deploy status
 * @param from event time at or after
 * @param to event time before
 * @param visibleApplications the only applications the caller may see; null for all
 */
public record EventFilter(
    String application,
    String runId,
    String commitSha,
    String type,
    String topic,
    String environment,
    String status,
    OffsetDateTime from,
    OffsetDateTime to,
    List<String> visibleApplications) {

  /** Rows of one run. */
  public static EventFilter run(String runId, List<String> visibleApplications) {
    return new EventFilter(
        null, runId, null, null, null, null, null, null, null, visibleApplications);
  }

  /** Rows of one commit. */
  public static EventFilter commit(String sha, List<String> visibleApplications) {
    return new EventFilter(
        null, null, sha, null, null, null, null, null, null, visibleApplications);
  }
}

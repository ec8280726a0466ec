package dev.slipway.events;

import java.util.List;

/** Kafka topic names of Slipway and the dead-letter convention. */
public final class Topics {

  public static final String COMMIT_RECEIVED = "commit.received";
  public static final String BUILD_DONE = "build.done";
  public static final String SCAN_DONE = "scan.done";
  public static final String DEPLOY_REQUESTED = "deploy.requested";
  public static final String DEPLOY_DONE = "deploy.done";
  public static final String APPROVAL_DECIDED = "approval.decided";

  /** API calls refused for want of a valid token or a role in scope. */
  public static final String ACCESS_DENIED = "access.denied";

  /**
   * The current access policy (bindings, teams, identities): compacted, one key, read from the
   * beginning by every service at start. Not a pipeline topic: no dead-letter topic, no consumer
   * group.
   */
  public static final String ACCESS_POLICY = "access.policy";

  /** What an operator did through a service's admin API (retried or dropped a parked event). */
  public static final String ADMIN_ACTION = "admin.action";

  /** A running digest newly matched by an imported advisory. */
  public static final String VULNERABILITY_FOUND = "vulnerability.found";

  /** Suffix of the topic a consumer sends a record it could not process to. */
  public static final String DLQ_SUFFIX = ".dlq";

  /** The pipeline's topics, in the order a run goes through them. */
  public static final List<String> PIPELINE =
      List.of(COMMIT_RECEIVED, BUILD_DONE, SCAN_DONE, DEPLOY_REQUESTED, DEPLOY_DONE);

  /**
   * Every topic with a dead-letter topic: the pipeline's, then the decisions about approvals, the
   * refused API calls, the admin trail and the findings' trail. {@link #ACCESS_POLICY} is apart:
   * compacted, no .dlq.
   */
  public static final List<String> ALL =
      List.of(
          COMMIT_RECEIVED,
          BUILD_DONE,
          SCAN_DONE,
          DEPLOY_REQUESTED,
          DEPLOY_DONE,
          APPROVAL_DECIDED,
          ACCESS_DENIED,
          ADMIN_ACTION,
          VULNERABILITY_FOUND);

  private Topics() {}

  /** The dead-letter topic of {@code topic}. */
  public static String dlq(String topic) {
    return topic + DLQ_SUFFIX;
  }

  /** Whether {@code topic} is a dead-letter topic. */
  public static boolean isDlq(String topic) {
    return topic.endsWith(DLQ_SUFFIX);
  }
}

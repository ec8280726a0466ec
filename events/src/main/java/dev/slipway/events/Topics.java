package dev.slipway.events;

import java.util.List;

/** Kafka topic names of Slipway and the dead-letter convention. */
public final class Topics {

  public static final String COMMIT_RECEIVED = "commit.received";
  public static final String BUILD_DONE = "build.done";
  public static final String SCAN_DONE = "scan.done";
  public static final String DEPLOY_REQUESTED = "deploy.requested";
  public static final String DEPLOY_DONE = "deploy.done";

  /** What an operator did through a service's admin API (retried or dropped a parked event). */
  public static final String ADMIN_ACTION = "admin.action";

  /** Suffix of the topic a consumer sends a record it could not process to. */
  public static final String DLQ_SUFFIX = ".dlq";

  /** The pipeline's topics, in the order a run goes through them. */
  public static final List<String> PIPELINE =
      List.of(COMMIT_RECEIVED, BUILD_DONE, SCAN_DONE, DEPLOY_REQUESTED, DEPLOY_DONE);

  /** Every topic: the pipeline's, then the admin trail. */
  public static final List<String> ALL =
      List.of(COMMIT_RECEIVED, BUILD_DONE, SCAN_DONE, DEPLOY_REQUESTED, DEPLOY_DONE, ADMIN_ACTION);

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

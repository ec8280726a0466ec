package dev.slipway.events;

import java.util.List;
import java.util.Optional;

/**
 * One kind of Slipway event: the topic it travels on, its payload record and its CloudEvents {@code
 * type}, {@code dev.slipway.<topic>.v1}.
 */
public record EventType<T>(String topic, Class<T> payloadType) {

  public static final EventType<CommitReceived> COMMIT_RECEIVED =
      new EventType<>(Topics.COMMIT_RECEIVED, CommitReceived.class);
  public static final EventType<BuildDone> BUILD_DONE =
      new EventType<>(Topics.BUILD_DONE, BuildDone.class);
  public static final EventType<ScanDone> SCAN_DONE =
      new EventType<>(Topics.SCAN_DONE, ScanDone.class);
  public static final EventType<DeployRequested> DEPLOY_REQUESTED =
      new EventType<>(Topics.DEPLOY_REQUESTED, DeployRequested.class);
  public static final EventType<DeployDone> DEPLOY_DONE =
      new EventType<>(Topics.DEPLOY_DONE, DeployDone.class);
  public static final EventType<ApprovalDecided> APPROVAL_DECIDED =
      new EventType<>(Topics.APPROVAL_DECIDED, ApprovalDecided.class);
  public static final EventType<AccessDenied> ACCESS_DENIED =
      new EventType<>(Topics.ACCESS_DENIED, AccessDenied.class);
  public static final EventType<AccessPolicy> ACCESS_POLICY =
      new EventType<>(Topics.ACCESS_POLICY, AccessPolicy.class);
  public static final EventType<AdminAction> ADMIN_ACTION =
      new EventType<>(Topics.ADMIN_ACTION, AdminAction.class);
  public static final EventType<VulnerabilityFound> VULNERABILITY_FOUND =
      new EventType<>(Topics.VULNERABILITY_FOUND, VulnerabilityFound.class);

  /** Every event type: the pipeline's in order, then the admin trail and the findings' trail. */
  public static final List<EventType<?>> ALL =
      List.of(
          COMMIT_RECEIVED,
          BUILD_DONE,
          SCAN_DONE,
          DEPLOY_REQUESTED,
          DEPLOY_DONE,
          APPROVAL_DECIDED,
          ACCESS_DENIED,
          ACCESS_POLICY,
          ADMIN_ACTION,
          VULNERABILITY_FOUND);

  private static final String PREFIX = "dev.slipway.";
  private static final String VERSION = ".v1";

  /** The CloudEvents {@code type} attribute of this event. */
  public String ceType() {
    return PREFIX + topic + VERSION;
  }

  /** The event type with this CloudEvents {@code type}, if Slipway knows it. */
  public static Optional<EventType<?>> forCeType(String ceType) {
    return ALL.stream().filter(t -> t.ceType().equals(ceType)).findFirst();
  }

  /** The event type that travels on {@code topic}, if any. */
  public static Optional<EventType<?>> forTopic(String topic) {
    return ALL.stream().filter(t -> t.topic().equals(topic)).findFirst();
  }
}

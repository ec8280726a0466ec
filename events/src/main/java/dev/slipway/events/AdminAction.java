package dev.slipway.events;

/**
 * Payload of {@code admin.action}: something an operator did through a service's admin API, kept in
 * the audit store like every pipeline event. The envelope's subject is the application the action
 * concerns, its run and causation those of the event acted on.
 *
 * @param service the service whose state was changed, e.g. {@code trigger-service}
 * @param action what was done
 * @param actor who did it (the token's principal)
 * @param targetEventId the id of the event acted on
 * @param targetTopic the topic that event goes to
 * @param detail what the target looked like, e.g. why the outbox had parked it
 */
public record AdminAction(
    String service,
    Action action,
    String actor,
    String targetEventId,
    String targetTopic,
    String detail) {

  public AdminAction {
    Require.text(service, "service");
    Require.present(action, "action");
    Require.text(actor, "actor");
    Require.text(targetEventId, "targetEventId");
  }

  /** What an operator can do. */
  public enum Action {
    /** A parked outbox event was put back to be published again. */
    OUTBOX_RETRY,
    /** A parked outbox event was deleted without being published. */
    OUTBOX_DROP
  }
}

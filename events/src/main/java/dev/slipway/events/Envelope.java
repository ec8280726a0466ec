package dev.slipway.events;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * A Slipway event: the CloudEvents 1.0 attributes every record carries around its payload.
 *
 * @param id unique per event
 * @param source the service that produced it, e.g. {@code /slipway/trigger-service}
 * @param type {@code dev.slipway.<topic>.v1}
 * @param time when the event happened
 * @param subject the application
 * @param runId the pipeline run: one commit.received and everything it caused
 * @param causationId the id of the event that caused this one; null for the first of a run
 * @param commitSha the commit the run is about
 * @param data the payload
 */
public record Envelope<T>(
    String id,
    String source,
    String type,
    OffsetDateTime time,
    String subject,
    String runId,
    String causationId,
    String commitSha,
    T data) {

  public Envelope {
    Require.text(id, "id");
    Require.text(source, "source");
    Require.text(type, "type");
    Require.present(time, "time");
    Require.text(subject, "subject");
    Require.text(runId, "runid");
    Require.present(data, "data");
  }

  /** The first event of a new run, e.g. a commit.received. */
  public static <T> Envelope<T> startRun(
      EventType<T> type, String source, String application, String commitSha, T data) {
    String id = newId();
    return new Envelope<>(
        id, source, type.ceType(), now(), application, newId(), null, commitSha, data);
  }

  /** An event caused by {@code cause}: same run, application and commit. */
  public static <T> Envelope<T> causedBy(
      Envelope<?> cause, EventType<T> type, String source, T data) {
    return new Envelope<>(
        newId(),
        source,
        type.ceType(),
        now(),
        cause.subject(),
        cause.runId(),
        cause.id(),
        cause.commitSha(),
        data);
  }

  /**
   * An event caused by {@code cause} whose id is derived from what caused it ({@link #derivedId}),
   * so a retry after a crash makes the same event and consumers' idempotency on the id holds.
   */
  public static <T> Envelope<T> causedBy(
      Envelope<?> cause, EventType<T> type, String source, String id, T data) {
    return new Envelope<>(
        id,
        source,
        type.ceType(),
        now(),
        cause.subject(),
        cause.runId(),
        cause.id(),
        cause.commitSha(),
        data);
  }

  /**
   * A name-based (version 3) UUID of {@code parts}: the same parts always give the same id. Parts
   * are joined with a separator no id contains, so ("a", "bc") and ("ab", "c") differ.
   */
  public static String derivedId(String... parts) {
    String name = String.join("\u0000", parts);
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}

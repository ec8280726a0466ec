package dev.slipway.trigger.messaging;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventJson.StructuredEvent;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.problem.RecordTooLargeException;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.outbox.OutboxSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Makes the commit.received of a run, the way the outbox keeps it: ids derived from what caused the
 * run (so any retry yields the same event), free text cut to documented limits with {@code
 * truncated} set, and never bigger than the outbox relay's producer takes ({@code
 * slipway.trigger.outbox.max-request-size}), so a stored event can always be published.
 *
 * <p>Limits: the message at {@code slipway.trigger.max-message-bytes} UTF-8 bytes (64 KiB), and
 * further if the record would not fit; names, e-mail addresses and the actor at {@value #MAX_NAME}
 * characters. Cuts fall on character boundaries.
 */
@ApplicationScoped
public class CommitEvents {

  /** The CloudEvents source of every event this service produces. */
  public static final String SOURCE = "/slipway/trigger-service";

  /** Longest author name, e-mail, username or actor kept. */
  public static final int MAX_NAME = 256;

  // CloudEvents headers, key and Kafka's per-record framing, generously.
  private static final int RECORD_OVERHEAD = 2048;

  private final int maxMessageBytes;
  private final int maxRecordBytes;

  @Inject
  public CommitEvents(TriggerConfig trigger, OutboxSettings outbox) {
    this(trigger.maxMessageBytes(), outbox.maxRequestSize());
  }

  /**
   * Events with messages cut at {@code maxMessageBytes}, records at most {@code maxRecordBytes}.
   */
  public CommitEvents(int maxMessageBytes, int maxRecordBytes) {
    this.maxMessageBytes = maxMessageBytes;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** What a run is about, before the limits apply. */
  public record RunFacts(
      String application,
      String provider,
      String deliveryId,
      String repoUrl,
      String ref,
      String commitSha,
      Person author,
      String message,
      String actor,
      PipelineSnapshot pipeline,
      List<Person> contributors) {

    public RunFacts {
      contributors = contributors == null ? List.of() : List.copyOf(contributors);
    }

    /** Facts whose contributors are only the head commit's author and the actor. */
    public RunFacts(
        String application,
        String provider,
        String deliveryId,
        String repoUrl,
        String ref,
        String commitSha,
        Person author,
        String message,
        String actor,
        PipelineSnapshot pipeline) {
      this(
          application,
          provider,
          deliveryId,
          repoUrl,
          ref,
          commitSha,
          author,
          message,
          actor,
          pipeline,
          List.of());
    }
  }

  /**
   * A commit.received written once: the bytes bounded by the record limit are the bytes the outbox
   * keeps.
   *
   * @param event the event
   * @param json its structured-mode CloudEvents JSON ({@link EventJson#writeEvent})
   */
  public record WrittenCommit(Envelope<CommitReceived> event, byte[] json) {

    /** The run id the event carries. */
    public String runId() {
      return event.runId();
    }

    /** The event as the outbox keeps it, traced to {@code traceparent} (null: untraced). */
    public OutboxEvent outboxEvent(String traceparent) {
      return new OutboxEvent(
          event.id(),
          EventType.COMMIT_RECEIVED.topic(),
          event.subject(),
          new String(json, StandardCharsets.UTF_8),
          traceparent);
    }
  }

  /**
   * The commit.received of a run caused by {@code cause} (the parts that identify the delivery and
   * run), with event and run id derived from them.
   */
  public WrittenCommit derived(RunFacts facts, String... cause) {
    return envelope(
        facts,
        Envelope.derivedId(prepend("commit.received", cause)),
        Envelope.derivedId(prepend("run", cause)));
  }

  /** The commit.received of a run nothing can ask for twice (a manual run without a key). */
  public WrittenCommit fresh(RunFacts facts) {
    return envelope(facts, UUID.randomUUID().toString(), UUID.randomUUID().toString());
  }

  private WrittenCommit envelope(RunFacts facts, String eventId, String runId) {
    String deliveryId = facts.deliveryId() == null ? runId : facts.deliveryId();
    boolean[] cut = {false};
    Person author = limited(facts.author(), cut);
    String actor = limit(facts.actor(), cut);
    List<Person> contributors = facts.contributors().stream().map(p -> limited(p, cut)).toList();
    String message = utf8Prefix(facts.message(), maxMessageBytes);
    cut[0] |= message.length() < facts.message().length();
    OffsetDateTime time = OffsetDateTime.now(ZoneOffset.UTC);
    Envelope<CommitReceived> event =
        envelope(
            facts,
            eventId,
            runId,
            time,
            payload(facts, deliveryId, author, actor, contributors, message, cut[0]));
    // The record's value is the event's data; the size is checked on the very bytes stored.
    StructuredEvent written = EventJson.writeStructured(event);
    int size = written.dataBytes() + RECORD_OVERHEAD;
    if (size > maxRecordBytes) {
      int messageBytes = message.getBytes(StandardCharsets.UTF_8).length;
      int room = messageBytes - (size - maxRecordBytes);
      if (room < 0) {
        throw new RecordTooLargeException(
            "The commit.received of "
                + facts.application()
                + " would be "
                + size
                + " bytes even without its message; Kafka takes at most "
                + maxRecordBytes
                + ".");
      }
      event =
          envelope(
              facts,
              eventId,
              runId,
              time,
              payload(
                  facts, deliveryId, author, actor, contributors, utf8Prefix(message, room), true));
      written = EventJson.writeStructured(event);
    }
    return new WrittenCommit(event, written.json());
  }

  private static Envelope<CommitReceived> envelope(
      RunFacts facts, String eventId, String runId, OffsetDateTime time, CommitReceived payload) {
    return new Envelope<>(
        eventId,
        SOURCE,
        EventType.COMMIT_RECEIVED.ceType(),
        time,
        facts.application(),
        runId,
        null,
        facts.commitSha(),
        payload);
  }

  private static CommitReceived payload(
      RunFacts facts,
      String deliveryId,
      Person author,
      String actor,
      List<Person> contributors,
      String message,
      boolean truncated) {
    return new CommitReceived(
        facts.provider(),
        deliveryId,
        facts.repoUrl(),
        facts.ref(),
        facts.commitSha(),
        author,
        message,
        actor,
        facts.pipeline(),
        truncated,
        contributors);
  }

  private static Person limited(Person person, boolean[] cut) {
    return new Person(
        limit(person.name(), cut),
        limit(person.email(), cut),
        limit(person.username(), cut),
        limit(person.id(), cut));
  }

  private static String limit(String text, boolean[] cut) {
    if (text == null || text.codePointCount(0, text.length()) <= MAX_NAME) {
      return text;
    }
    cut[0] = true;
    return text.substring(0, text.offsetByCodePoints(0, MAX_NAME));
  }

  /** The longest prefix of {@code text} whose UTF-8 form has at most {@code maxBytes} bytes. */
  static String utf8Prefix(String text, int maxBytes) {
    if (text.length() * 3L <= maxBytes) {
      return text;
    }
    int bytes = 0;
    int end = 0;
    while (end < text.length()) {
      int codePoint = text.codePointAt(end);
      int width = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
      if (bytes + width > maxBytes) {
        break;
      }
      bytes += width;
      end += Character.charCount(codePoint);
    }
    return text.substring(0, end);
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}

package dev.slipway.trigger.service;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.problem.RecordTooLargeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * Makes the commit.received of a run, the way the outbox keeps it: ids derived from what caused the
 * run (so any retry yields the same event), free text cut to documented limits with {@code
 * truncated} set, and never bigger than the Kafka producer takes ({@code max.request.size}), so a
 * stored event can always be published.
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

  private static final String MAX_REQUEST_SIZE =
      "mp.messaging.outgoing.commit-received.max.request.size";
  // CloudEvents headers, key and Kafka's per-record framing, generously.
  private static final int RECORD_OVERHEAD = 2048;

  private final int maxMessageBytes;
  private final int maxRecordBytes;

  @Inject
  public CommitEvents(TriggerConfig trigger, Config config) {
    this(
        trigger.maxMessageBytes(),
        config.getOptionalValue(MAX_REQUEST_SIZE, Integer.class).orElse(1_048_576));
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
   * The commit.received of a run caused by {@code cause} (the parts that identify the delivery and
   * run), with event and run id derived from them.
   */
  public Envelope<CommitReceived> derived(RunFacts facts, String... cause) {
    return envelope(
        facts,
        Envelope.derivedId(prepend("commit.received", cause)),
        Envelope.derivedId(prepend("run", cause)));
  }

  /** The commit.received of a run nothing can ask for twice (a manual run without a key). */
  public Envelope<CommitReceived> fresh(RunFacts facts) {
    return envelope(facts, UUID.randomUUID().toString(), UUID.randomUUID().toString());
  }

  /** The event as the outbox stores it: structured-mode CloudEvents JSON. */
  public static String outboxJson(Envelope<CommitReceived> event) {
    return new String(EventJson.writeEvent(event), StandardCharsets.UTF_8);
  }

  private Envelope<CommitReceived> envelope(RunFacts facts, String eventId, String runId) {
    String deliveryId = facts.deliveryId() == null ? runId : facts.deliveryId();
    boolean[] cut = {false};
    Person author = limited(facts.author(), cut);
    String actor = limit(facts.actor(), cut);
    List<Person> contributors = facts.contributors().stream().map(p -> limited(p, cut)).toList();
    String message = utf8Prefix(facts.message(), maxMessageBytes);
    cut[0] |= message.length() < facts.message().length();
    CommitReceived payload =
        payload(facts, deliveryId, author, actor, contributors, message, cut[0]);
    int size = EventJson.writePayload(payload).length + RECORD_OVERHEAD;
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
      payload =
          payload(facts, deliveryId, author, actor, contributors, utf8Prefix(message, room), true);
    }
    return new Envelope<>(
        eventId,
        SOURCE,
        EventType.COMMIT_RECEIVED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
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

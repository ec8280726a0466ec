package dev.slipway.trigger.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.SampleEvents;
import dev.slipway.trigger.messaging.CommitEvents.RunFacts;
import dev.slipway.trigger.messaging.CommitEvents.WrittenCommit;
import dev.slipway.trigger.problem.RecordTooLargeException;
import dev.slipway.work.outbox.OutboxEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commit.received written once (its bytes sized and stored) is byte for byte the event the
 * earlier path stored: the payload serialized for the size check, then the whole event serialized
 * again by {@link OutboxEvent#of}. {@link Before} is that path, kept here as the reference.
 */
class CommitEventsTest {

  private static final int MESSAGE = 65_536;
  private static final int RECORD = 1_048_576;
  private static final String SHA = "3f2a1c9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String UNICODE =
      "Zoë Ångström 提交信息 🚀 שלום \u0301e \"quoted\" back\\slash tab\t nl\n"
          + " ctl\u0001 </script> \u2028 𝄞";

  static Stream<Arguments> facts() {
    List<Person> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(
          new Person("Contributor " + i + " 👩‍💻", "c" + i + "@example.com", "c" + i, "" + i));
    }
    String longName = "名".repeat(300);
    return Stream.of(
        Arguments.of("an ASCII push", facts("fix: the build", List.of()), RECORD, false),
        Arguments.of("a push in many scripts", facts(UNICODE, List.of()), RECORD, false),
        Arguments.of(
            "names over 256 characters",
            facts("m", List.of(new Person(longName, longName + "@example.com", longName, "1"))),
            RECORD,
            true),
        Arguments.of(
            "a message over 64 KiB, four-byte characters across the cut",
            facts("a" + "🚀".repeat(40_000), List.of()),
            RECORD,
            true),
        Arguments.of(
            "a message cut further to fit a 64 KiB record",
            facts("é".repeat(60_000), many),
            65_536,
            true),
        Arguments.of(
            "a message cut at the record limit, three-byte characters",
            facts("x" + "€".repeat(30_000), many),
            40_000,
            true),
        Arguments.of("an empty message", facts("", many), RECORD, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("facts")
  void derivedEventIsTheOneTheEarlierPathStored(
      String what, RunFacts facts, int maxRecord, boolean truncated) {
    WrittenCommit written =
        new CommitEvents(MESSAGE, maxRecord)
            .derived(facts, "github", "hook:delivery-1", facts.application(), facts.ref());

    assertIdentical(written, facts, maxRecord);
    assertThat(written.event().data().truncated()).isEqualTo(truncated);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("facts")
  void freshEventOfAManualRunIsTheOneTheEarlierPathStored(
      String what, RunFacts facts, int maxRecord, boolean truncated) {
    RunFacts manual =
        new RunFacts(
            facts.application(),
            "manual",
            null,
            facts.repoUrl(),
            facts.ref(),
            facts.commitSha(),
            facts.author(),
            facts.message(),
            facts.actor(),
            facts.pipeline(),
            facts.contributors());

    WrittenCommit written = new CommitEvents(MESSAGE, maxRecord).fresh(manual);

    assertIdentical(written, manual, maxRecord);
    assertThat(written.event().data().truncated()).isEqualTo(truncated);
  }

  @Test
  void recordTooLargeWithoutItsMessageIsRefusedAsBefore() {
    List<Person> many = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      many.add(new Person("Contributor " + i, "c" + i + "@example.com", "c" + i, "" + i));
    }
    RunFacts facts = facts("message", many);

    assertThatThrownBy(() -> Before.payload(facts, facts.deliveryId(), MESSAGE, 8_192))
        .isInstanceOf(RecordTooLargeException.class);
    assertThatThrownBy(() -> new CommitEvents(MESSAGE, 8_192).derived(facts, "d"))
        .isInstanceOf(RecordTooLargeException.class)
        .hasMessage(catchMessage(() -> Before.payload(facts, facts.deliveryId(), MESSAGE, 8_192)));
  }

  private static void assertIdentical(WrittenCommit written, RunFacts facts, int maxRecord) {
    Envelope<CommitReceived> event = written.event();
    String deliveryId = facts.deliveryId() == null ? event.runId() : facts.deliveryId();
    Envelope<CommitReceived> before =
        new Envelope<>(
            event.id(),
            CommitEvents.SOURCE,
            EventType.COMMIT_RECEIVED.ceType(),
            event.time(),
            facts.application(),
            event.runId(),
            null,
            facts.commitSha(),
            Before.payload(facts, deliveryId, MESSAGE, maxRecord));

    assertThat(event).isEqualTo(before);
    assertThat(written.json()).isEqualTo(EventJson.writeEvent(before));
    OutboxEvent stored = written.outboxEvent(TRACEPARENT);
    assertThat(stored).isEqualTo(OutboxEvent.of(before, TRACEPARENT));
    assertThat(stored.json().getBytes(StandardCharsets.UTF_8)).isEqualTo(written.json());
  }

  private static RunFacts facts(String message, List<Person> contributors) {
    return new RunFacts(
        "shop",
        "github",
        "hook:delivery-1",
        "https://github.com/acme/shop",
        "refs/heads/main",
        SHA,
        new Person("Zoë Dev 🚀", "zoe@example.com", "zoe", null),
        message,
        "zoe",
        pipeline(),
        contributors);
  }

  private static PipelineSnapshot pipeline() {
    return SampleEvents.pipeline();
  }

  private static String catchMessage(Runnable run) {
    try {
      run.run();
      return null;
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /**
   * The payload as trigger-service made it before it wrote each event once (main at 95f6ec6): the
   * payload serialized on its own for the size check, against the record limit minus 2048 bytes.
   */
  private static final class Before {

    static CommitReceived payload(
        RunFacts facts, String deliveryId, int maxMessageBytes, int maxRecordBytes) {
      boolean[] cut = {false};
      Person author = limited(facts.author(), cut);
      String actor = limit(facts.actor(), cut);
      List<Person> contributors = facts.contributors().stream().map(p -> limited(p, cut)).toList();
      String message = utf8Prefix(facts.message(), maxMessageBytes);
      cut[0] |= message.length() < facts.message().length();
      CommitReceived payload =
          payload(facts, deliveryId, author, actor, contributors, message, cut[0]);
      int size = EventJson.writePayload(payload).length + 2048;
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
            payload(
                facts, deliveryId, author, actor, contributors, utf8Prefix(message, room), true);
      }
      return payload;
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
      if (text == null || text.codePointCount(0, text.length()) <= 256) {
        return text;
      }
      cut[0] = true;
      return text.substring(0, text.offsetByCodePoints(0, 256));
    }

    private static String utf8Prefix(String text, int maxBytes) {
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
  }
}

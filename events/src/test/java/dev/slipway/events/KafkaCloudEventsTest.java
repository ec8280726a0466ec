package dev.slipway.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.ce.impl.DefaultIncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/** The envelope against SmallRye's CloudEvents metadata, without a broker. */
class KafkaCloudEventsTest {

  private final Envelope<CommitReceived> first =
      SampleEvents.event(EventType.COMMIT_RECEIVED, null);
  private final Envelope<BuildDone> build = SampleEvents.event(EventType.BUILD_DONE, first);

  @Test
  void outgoingMessageCarriesEveryAttributeAndIsKeyedByApplication() {
    Message<BuildDone> message = KafkaCloudEvents.toMessage(build);

    @SuppressWarnings("unchecked")
    OutgoingCloudEventMetadata<BuildDone> ce =
        message.getMetadata(OutgoingCloudEventMetadata.class).orElseThrow();
    assertThat(ce.getId()).isEqualTo(build.id());
    assertThat(ce.getType()).isEqualTo("dev.slipway.build.done.v1");
    assertThat(ce.getSubject()).contains(SampleEvents.APPLICATION);
    assertThat(ce.<String>getExtension("runid")).contains(first.runId());
    assertThat(ce.<String>getExtension("causationid")).contains(first.id());
    assertThat(ce.<String>getExtension("commitsha")).contains(SampleEvents.COMMIT);
    assertThat(message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey())
        .isEqualTo(SampleEvents.APPLICATION);
  }

  @Test
  void firstEventOfARunHasNoCausationExtension() {
    Message<CommitReceived> message = KafkaCloudEvents.toMessage(first);

    assertThat(message.getMetadata(OutgoingCloudEventMetadata.class).orElseThrow().getExtensions())
        .doesNotContainKey("causationid");
  }

  @Test
  void incomingMessageReadsBackTheSameEnvelope() {
    Envelope<BuildDone> read =
        KafkaCloudEvents.fromMessage(incoming(build, build.type(), true), EventType.BUILD_DONE);

    assertThat(read).isEqualTo(build);
  }

  @Test
  void incomingEventOfAnotherTypeIsRejected() {
    Message<BuildDone> message = incoming(build, "dev.slipway.deploy.done.v1", true);

    assertThatThrownBy(() -> KafkaCloudEvents.fromMessage(message, EventType.BUILD_DONE))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("ce_type");
  }

  @Test
  void incomingEventWithoutRunIdIsRejected() {
    Message<BuildDone> message = incoming(build, build.type(), false);

    assertThatThrownBy(() -> KafkaCloudEvents.fromMessage(message, EventType.BUILD_DONE))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("ce_runid");
  }

  @Test
  void recordThatIsNotACloudEventIsRejected() {
    assertThatThrownBy(
            () -> KafkaCloudEvents.fromMessage(Message.of(build.data()), EventType.BUILD_DONE))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("ce_id");
  }

  @Test
  void consumeAcksAfterTheHandlerFinished() {
    AtomicReference<Throwable> nacked = new AtomicReference<>();
    CompletableFuture<Void> acked = new CompletableFuture<>();
    Message<BuildDone> message = tracked(incoming(build, build.type(), true), acked, nacked);
    AtomicReference<Envelope<BuildDone>> handled = new AtomicReference<>();

    KafkaCloudEvents.consume(
            message, EventType.BUILD_DONE, e -> Uni.createFrom().item(e).invoke(handled::set))
        .await()
        .atMost(Duration.ofSeconds(5));

    assertThat(handled.get()).isEqualTo(build);
    assertThat(acked).isDone();
    assertThat(nacked.get()).isNull();
  }

  @Test
  void consumeNacksARecordThatBreaksTheContractWithoutCallingTheHandler() {
    AtomicReference<Throwable> nacked = new AtomicReference<>();
    CompletableFuture<Void> acked = new CompletableFuture<>();
    Message<BuildDone> message = tracked(incoming(build, build.type(), false), acked, nacked);
    AtomicInteger calls = new AtomicInteger();

    KafkaCloudEvents.consume(
            message, EventType.BUILD_DONE, e -> Uni.createFrom().item(calls.incrementAndGet()))
        .await()
        .atMost(Duration.ofSeconds(5));

    assertThat(calls).hasValue(0);
    assertThat(acked).isNotDone();
    assertThat(nacked.get()).isInstanceOf(EventFormatException.class);
  }

  @Test
  void consumeRetriesAHandlerThatFailedForAnotherReasonInsteadOfDeadLettering() {
    AtomicReference<Throwable> nacked = new AtomicReference<>();
    CompletableFuture<Void> acked = new CompletableFuture<>();
    Message<BuildDone> message = tracked(incoming(build, build.type(), true), acked, nacked);
    AtomicInteger calls = new AtomicInteger();

    KafkaCloudEvents.consume(
            message,
            EventType.BUILD_DONE,
            e ->
                calls.incrementAndGet() < 3
                    ? Uni.createFrom().failure(new IllegalStateException("database down"))
                    : Uni.createFrom().item(e))
        .await()
        .atMost(Duration.ofSeconds(10));

    assertThat(calls).hasValue(3);
    assertThat(acked).isDone();
    assertThat(nacked.get()).isNull();
  }

  @Test
  void consumeDeadLettersARecordTheDatabaseRefusesForItsContentAtOnce() {
    AtomicReference<Throwable> nacked = new AtomicReference<>();
    CompletableFuture<Void> acked = new CompletableFuture<>();
    Message<BuildDone> message = tracked(incoming(build, build.type(), true), acked, nacked);
    AtomicInteger calls = new AtomicInteger();
    // What PostgreSQL answers to a NUL in a text or jsonb value, wrapped as a client would.
    RuntimeException refused =
        new IllegalStateException(
            "insert failed", new DriverFailure("22P05", "unsupported \\u0000"));

    KafkaCloudEvents.consume(
            message,
            EventType.BUILD_DONE,
            e -> {
              calls.incrementAndGet();
              return Uni.createFrom().failure(refused);
            })
        .await()
        .atMost(Duration.ofSeconds(10));

    assertThat(calls).hasValue(1);
    assertThat(nacked.get()).isSameAs(refused);
    assertThat(acked).isNotDone();
  }

  @Test
  void consumeRetriesWhenTheDatabaseIsUnreachable() {
    AtomicReference<Throwable> nacked = new AtomicReference<>();
    CompletableFuture<Void> acked = new CompletableFuture<>();
    Message<BuildDone> message = tracked(incoming(build, build.type(), true), acked, nacked);
    AtomicInteger calls = new AtomicInteger();

    KafkaCloudEvents.consume(
            message,
            EventType.BUILD_DONE,
            e ->
                calls.incrementAndGet() < 2
                    ? Uni.createFrom().failure(new DriverFailure("08006", "connection failure"))
                    : Uni.createFrom().item(e))
        .await()
        .atMost(Duration.ofSeconds(10));

    assertThat(calls).hasValue(2);
    assertThat(acked).isDone();
    assertThat(nacked.get()).isNull();
  }

  /** Shaped like Vert.x's PgException: a SQLSTATE behind {@code getSqlState()}. */
  public static final class DriverFailure extends RuntimeException {
    private final String sqlState;

    DriverFailure(String sqlState, String message) {
      super(message);
      this.sqlState = sqlState;
    }

    public String getSqlState() {
      return sqlState;
    }
  }

  private static <T> Message<T> incoming(Envelope<T> event, String type, boolean withRunId) {
    Map<String, Object> extensions = new HashMap<>();
    if (withRunId) {
      extensions.put("runid", event.runId());
    }
    extensions.put("causationid", event.causationId());
    extensions.put("commitsha", event.commitSha());
    DefaultIncomingCloudEventMetadata<T> ce =
        new DefaultIncomingCloudEventMetadata<>(
            "1.0",
            event.id(),
            java.net.URI.create(event.source()),
            type,
            EventJson.CONTENT_TYPE,
            null,
            event.subject(),
            event.time().toZonedDateTime(),
            extensions,
            event.data());
    return Message.of(event.data()).addMetadata(ce);
  }

  private static <T> Message<T> tracked(
      Message<T> message, CompletableFuture<Void> acked, AtomicReference<Throwable> nacked) {
    return message
        .withAck(
            () -> {
              acked.complete(null);
              return CompletableFuture.completedFuture(null);
            })
        .withNack(
            failure -> {
              nacked.set(failure);
              return CompletableFuture.completedFuture(null);
            });
  }
}

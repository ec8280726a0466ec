package dev.slipway.work.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.BuildDone;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.work.trace.Traceparent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.ce.impl.DefaultIncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.pgclient.PgException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

/**
 * The consume policy, one handler without a broker: acked after the work, a record that breaks the
 * contract or that the database refuses dead-lettered at once, an unreachable database waited out,
 * anything else tried a few times and then dead-lettered, and the trace context in the logs.
 */
class ConsumeTest {

  private final Envelope<CommitReceived> first =
      SampleEvents.event(EventType.COMMIT_RECEIVED, null);
  private final Envelope<BuildDone> build = SampleEvents.event(EventType.BUILD_DONE, first);
  private final AtomicReference<Throwable> nacked = new AtomicReference<>();
  private final CompletableFuture<Void> acked = new CompletableFuture<>();

  @Test
  void theMessageIsAckedOnlyAfterTheHandlerFinished() {
    AtomicReference<Envelope<BuildDone>> handled = new AtomicReference<>();

    consume(incoming(true), e -> Uni.createFrom().item(e).invoke(handled::set));

    assertThat(handled.get()).isEqualTo(build);
    assertThat(acked).isDone();
    assertThat(nacked.get()).isNull();
  }

  @Test
  void aRecordThatBreaksTheContractIsDeadLetteredWithoutCallingTheHandler() {
    AtomicInteger calls = new AtomicInteger();

    consume(incoming(false), e -> Uni.createFrom().item(calls.incrementAndGet()));

    assertThat(calls).hasValue(0);
    assertThat(acked).isNotDone();
    assertThat(nacked.get()).isInstanceOf(EventFormatException.class);
  }

  @Test
  void aRecordTheDatabaseRefusesForItsContentIsDeadLetteredAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    // What PostgreSQL answers to a NUL in a text or jsonb value, wrapped as a client would.
    RuntimeException refused =
        new IllegalStateException(
            "insert failed", new PgException("unsupported \\u0000", "ERROR", "22P05", null));

    consume(
        incoming(true),
        e -> {
          calls.incrementAndGet();
          return Uni.createFrom().failure(refused);
        });

    assertThat(calls).hasValue(1);
    assertThat(nacked.get()).isSameAs(refused);
    assertThat(acked).isNotDone();
  }

  @Test
  void anUnreachableDatabaseIsWaitedOutHoldingTheRecord() {
    AtomicInteger calls = new AtomicInteger();

    consume(
        incoming(true),
        e ->
            calls.incrementAndGet() < 4
                ? Uni.createFrom()
                    .failure(new PgException("connection failure", "FATAL", "08006", null))
                : Uni.createFrom().item(e));

    assertThat(calls).hasValue(4);
    assertThat(acked).isDone();
    assertThat(nacked.get()).isNull();
  }

  @Test
  void anyOtherFailureIsTriedAFewTimesAndThenDeadLetteredSoTheConsumerGoesOn() {
    AtomicInteger calls = new AtomicInteger();

    consume(
        incoming(true),
        e -> {
          calls.incrementAndGet();
          return Uni.createFrom().failure(new IllegalStateException("a bug this record triggers"));
        });

    assertThat(calls).hasValue(Consume.OTHER_FAILURE_TRIES);
    assertThat(nacked.get()).hasMessage("a bug this record triggers");
    assertThat(acked).isNotDone();
  }

  @Test
  void aFailureThatPassesBeforeTheLastTryIsNoDeadLetter() {
    AtomicInteger calls = new AtomicInteger();

    consume(
        incoming(true),
        e ->
            calls.incrementAndGet() < 3
                ? Uni.createFrom().failure(new IllegalStateException("flaky"))
                : Uni.createFrom().item(e));

    assertThat(calls).hasValue(3);
    assertThat(acked).isDone();
  }

  @Test
  void theTraceContextOfTheRecordIsInTheLogsWhileItIsHandled() {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    AtomicReference<Object> traceId = new AtomicReference<>();
    AtomicReference<Object> parentId = new AtomicReference<>();

    consume(
        withTraceparent(incoming(true), traceparent),
        e -> {
          traceId.set(MDC.get(Traceparent.TRACE_ID));
          parentId.set(MDC.get(Traceparent.PARENT_ID));
          return Uni.createFrom().voidItem();
        });

    assertThat(traceId.get()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(parentId.get()).isEqualTo("00f067aa0ba902b7");
    assertThat(MDC.get(Traceparent.TRACE_ID)).isNull();
  }

  private void consume(
      Message<BuildDone> message,
      java.util.function.Function<Envelope<BuildDone>, Uni<?>> handler) {
    Consume.consume(tracked(message), EventType.BUILD_DONE, handler)
        .await()
        .atMost(Duration.ofSeconds(30));
  }

  private Message<BuildDone> incoming(boolean withRunId) {
    Map<String, Object> extensions = new HashMap<>();
    if (withRunId) {
      extensions.put(EventJson.RUN_ID, build.runId());
    }
    extensions.put(EventJson.CAUSATION_ID, build.causationId());
    extensions.put(EventJson.COMMIT_SHA, build.commitSha());
    DefaultIncomingCloudEventMetadata<BuildDone> ce =
        new DefaultIncomingCloudEventMetadata<>(
            "1.0",
            build.id(),
            java.net.URI.create(build.source()),
            build.type(),
            EventJson.CONTENT_TYPE,
            null,
            build.subject(),
            build.time().toZonedDateTime(),
            extensions,
            build.data());
    return Message.of(build.data()).addMetadata(ce);
  }

  private static Message<BuildDone> withTraceparent(Message<BuildDone> message, String value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", value.getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<String, BuildDone> record =
        new ConsumerRecord<>(
            "build.done",
            0,
            0L,
            0L,
            org.apache.kafka.common.record.TimestampType.CREATE_TIME,
            -1,
            -1,
            "shop",
            message.getPayload(),
            headers,
            java.util.Optional.empty());
    return message.addMetadata(new IncomingKafkaRecordMetadata<>(record, "build-done"));
  }

  private Message<BuildDone> tracked(Message<BuildDone> message) {
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

package dev.slipway.audit.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.AuditTestData;
import dev.slipway.audit.AuditTestResource;
import dev.slipway.audit.service.LogVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Batches of concurrent callers are appended in one transaction when they wait together, and a
 * group PostgreSQL refuses for what one batch holds is appended batch by batch: the other batches
 * land, only the batch at fault sees the refusal (and is then split and quarantined by the ingest).
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class GroupCommitIT {

  @Inject AuditStoreWriter writer;
  @Inject LogVerifier verifier;

  @Test
  void aRefusedBatchInAGroupFailsAloneAndTheOthersLand() throws Exception {
    List<AuditRecord> first = AuditTestData.records("test.group", "group-first", 3, now());
    List<AuditRecord> good = AuditTestData.records("test.group", "group-good", 5, now());
    // A topic longer than the table's CHECK allows: PostgreSQL refuses the row for its content.
    List<AuditRecord> bad = new ArrayList<>(AuditTestData.records("t", "group-bad", 1, now()));
    bad.set(0, withTopic(bad.get(0), "test.group-" + "x".repeat(300)));
    List<Thread> callers = new ArrayList<>();

    CompletableFuture<AuditStoreWriter.AppendResult>[] results =
        AuditTestData.withAppendsHeld(
            () -> {
              // The first caller appends alone and waits for the lock this test holds ...
              CompletableFuture<AuditStoreWriter.AppendResult> leader = append(first, callers);
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(
                      () ->
                          AuditTestData.count(
                                  "SELECT count(*) FROM pg_stat_activity"
                                      + " WHERE wait_event = 'advisory'")
                              >= 1);
              // ... while the next two wait for it, to be appended together afterwards.
              CompletableFuture<AuditStoreWriter.AppendResult> ok = append(good, callers);
              CompletableFuture<AuditStoreWriter.AppendResult> refused = append(bad, callers);
              await().atMost(Duration.ofSeconds(20)).until(() -> waitingCallers(callers) >= 2);
              @SuppressWarnings("unchecked")
              CompletableFuture<AuditStoreWriter.AppendResult>[] all =
                  new CompletableFuture[] {leader, ok, refused};
              return all;
            });

    assertThat(results[0].join().appended()).isEqualTo(3);
    assertThat(results[1].join().appended()).isEqualTo(5);
    assertThat(results[2])
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(RecordsRefusedException.class);
    assertThat(
            AuditTestData.count(
                "SELECT count(*) FROM audit_events WHERE application =" + " 'group-good'"))
        .isEqualTo(5);
    assertThat(
            AuditTestData.count(
                "SELECT count(*) FROM audit_events WHERE application =" + " 'group-bad'"))
        .isZero();
  }

  private CompletableFuture<AuditStoreWriter.AppendResult> append(
      List<AuditRecord> batch, List<Thread> callers) {
    CompletableFuture<AuditStoreWriter.AppendResult> result = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                result.complete(writer.append(batch));
              } catch (RuntimeException e) {
                result.completeExceptionally(e);
              }
            });
    synchronized (callers) {
      callers.add(caller);
    }
    caller.start();
    return result;
  }

  /** Callers parked in the writer, waiting for the caller that appends to finish. */
  private static long waitingCallers(List<Thread> callers) {
    return callers.stream()
        .skip(1)
        .filter(
            t ->
                t.getState() == Thread.State.TIMED_WAITING
                    && List.of(t.getStackTrace()).stream()
                        .anyMatch(f -> f.getMethodName().equals("awaitTurn")))
        .count();
  }

  private static AuditRecord withTopic(AuditRecord r, String topic) {
    return new AuditRecord(
        topic,
        r.topicId(),
        r.partition(),
        r.offset(),
        r.key(),
        r.eventId(),
        r.type(),
        r.source(),
        r.application(),
        r.runId(),
        r.causationId(),
        r.commitSha(),
        r.environment(),
        r.actor(),
        r.status(),
        r.eventTime(),
        r.quarantined(),
        r.problem(),
        r.event(),
        r.headers());
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}

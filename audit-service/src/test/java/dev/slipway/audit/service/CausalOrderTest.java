package dev.slipway.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.AuditRecord;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausalOrderTest {

  private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-03-01T10:00:00Z");

  @Test
  void everyEventComesAfterItsCauseEvenWhenItsClockIsBehind() {
    AuditEvent commit = event(1, "commit", null, 0);
    AuditEvent build = event(2, "build", "commit", -30); // the builder's clock is 30 s behind
    AuditEvent scan = event(3, "scan", "build", 5);
    AuditEvent deploy = event(4, "deploy", "scan", -60);

    List<AuditEvent> ordered = CausalOrder.of(List.of(deploy, scan, build, commit));

    assertThat(ordered)
        .extracting(e -> e.record().eventId())
        .containsExactly("commit", "build", "scan", "deploy");
  }

  @Test
  void siblingsGoInTimeOrderAndADeadLetterSitsBesideItsEvent() {
    AuditEvent commit = event(1, "commit", null, 0);
    AuditEvent late = event(2, "b", "commit", 20);
    AuditEvent early = event(3, "a", "commit", 10);
    AuditEvent deadLetter = event(4, "a", "commit", 10);

    List<AuditEvent> ordered = CausalOrder.of(List.of(late, deadLetter, commit, early));

    assertThat(ordered).extracting(AuditEvent::seq).containsExactly(1L, 3L, 4L, 2L);
  }

  private static AuditEvent event(long seq, String id, String cause, int seconds) {
    AuditRecord record =
        new AuditRecord(
            "t.t",
            null,
            0,
            seq,
            null,
            id,
            null,
            null,
            "shop",
            "run",
            cause,
            null,
            null,
            null,
            null,
            T0.plusSeconds(seconds),
            false,
            null,
            null,
            null);
    return new AuditEvent(seq, T0, null, record, null, null, null);
  }
}

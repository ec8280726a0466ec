package dev.slipway.scan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.match.MatchedFinding;
import dev.slipway.scan.policy.GateResult;
import dev.slipway.scan.policy.PolicyGate;
import dev.slipway.scan.repository.OutboxEvent;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The events a finished build scan stores in the outbox. */
class ScanEventsTest {

  private static final ScanPolicy HIGH = new ScanPolicy(Severity.HIGH, false);

  @Test
  void aFailedScanCarriesTheBlockingFindingsFirstAndNamesWhereTheRestAre() {
    Envelope<BuildDone> build =
        SampleEvents.forApplication(EventType.BUILD_DONE, "shop", SampleEvents.buildDone());
    List<MatchedFinding> matched =
        List.of(
            new MatchedFinding(
                "GHSA-low", List.of(), "pkg:npm/a@1.0.0", "1.0.0", Severity.LOW, "1.0.1"),
            new MatchedFinding(
                "GHSA-mid", List.of(), "pkg:npm/b@1.0.0", "1.0.0", Severity.MEDIUM, "1.0.1"),
            new MatchedFinding(
                "GHSA-crit",
                List.of("CVE-1"),
                "pkg:npm/c@1.0.0",
                "1.0.0",
                Severity.CRITICAL,
                "1.0.1"));
    ScanOutcome outcome =
        new ScanOutcome(
            PolicyGate.evaluate(matched, List.of(), HIGH, List.of(), LocalDate.of(2026, 3, 10)),
            "2026-03-01T00:00:00Z",
            List.of(),
            List.of(),
            null);

    List<OutboxEvent> events = ScanEvents.of(build, "scan-1", outcome, HIGH, 2);

    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.eventId()).isEqualTo(Envelope.derivedId("scan.done", "scan-1"));
              assertThat(e.topic()).isEqualTo("scan.done");
              assertThat(e.application()).isEqualTo("shop");
            });
    Envelope<ScanDone> stored =
        EventJson.readEvent(
            events.get(0).json().getBytes(StandardCharsets.UTF_8), EventType.SCAN_DONE);
    assertThat(stored.causationId()).isEqualTo(build.id());
    assertThat(stored.source()).isEqualTo("/slipway/scan-service");
    assertThat(stored.data().verdict()).isEqualTo(ScanDone.Verdict.FAILED);
    assertThat(stored.data().findings())
        .extracting(ScanDone.Finding::advisoryId)
        .containsExactly("GHSA-crit", "GHSA-mid");
    assertThat(stored.data().findingsRef()).isEqualTo("/api/scans/scan-1");
    assertThat(stored.data().counts())
        .containsEntry(Severity.LOW, 1)
        .containsEntry(Severity.CRITICAL, 1);
  }

  @Test
  void anErrorScanPublishesItsVerdictAndAsksForNoDeploy() {
    Envelope<BuildDone> build =
        SampleEvents.forApplication(EventType.BUILD_DONE, "shop", SampleEvents.buildDone());
    ScanOutcome outcome =
        new ScanOutcome(
            new GateResult(
                ScanDone.Verdict.ERROR,
                java.util.Map.of(),
                List.of(),
                List.of(),
                "no advisory database: nothing has been imported"),
            "empty",
            List.of(),
            List.of(),
            null);
    List<OutboxEvent> events = ScanEvents.of(build, "scan-3", outcome, HIGH, 200);
    assertThat(events).extracting(OutboxEvent::topic).containsExactly("scan.done");
    Envelope<ScanDone> stored =
        EventJson.readEvent(
            events.get(0).json().getBytes(StandardCharsets.UTF_8), EventType.SCAN_DONE);
    assertThat(stored.data().verdict()).isEqualTo(ScanDone.Verdict.ERROR);
    assertThat(stored.data().reason()).startsWith("no advisory database");
  }

  @Test
  void aPassedScanAlsoAsksForTheFirstEnvironmentUnderAnIdDerivedFromTheScan() {
    Envelope<BuildDone> build =
        SampleEvents.forApplication(EventType.BUILD_DONE, "shop", SampleEvents.buildDone());
    ScanOutcome outcome =
        new ScanOutcome(
            PolicyGate.evaluate(List.of(), List.of(), HIGH, List.of(), LocalDate.of(2026, 3, 10)),
            "2026-03-01T00:00:00Z",
            List.of(),
            List.of(),
            null);

    List<OutboxEvent> events = ScanEvents.of(build, "scan-2", outcome, HIGH, 200);

    assertThat(events)
        .extracting(OutboxEvent::topic)
        .containsExactly("scan.done", "deploy.requested");
    assertThat(events.get(1).eventId())
        .isEqualTo(Envelope.derivedId("deploy.requested", "scan-2", "dev"));
    assertThat(ScanEvents.of(build, "scan-2", outcome, HIGH, 200))
        .extracting(OutboxEvent::eventId)
        .containsExactlyElementsOf(events.stream().map(OutboxEvent::eventId).toList());
  }
}

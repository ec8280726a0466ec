package dev.slipway.scan.service;

import dev.slipway.events.BuildDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventType;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.Verdict;
import dev.slipway.events.ScanPolicy;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.policy.GateResult;
import dev.slipway.scan.repository.OutboxEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The events a finished build scan causes: scan.done always, and deploy.requested for the first
 * environment of the run's chain when it PASSED. Their ids are derived from the scan, so storing
 * them again after a crash makes the same events.
 */
public final class ScanEvents {

  /** CloudEvents source of scan-service. */
  public static final String SOURCE = "/slipway/scan-service";

  /** {@code requestedBy} of the deploys the gate asks for. */
  public static final String REQUESTED_BY = "scan-service";

  private ScanEvents() {}

  /** The path of a scan in the API, named by a scan.done cut short. */
  public static String findingsRef(String scanId) {
    return "/api/scans/" + scanId;
  }

  /** The outbox events of a finished scan of {@code build}. */
  public static List<OutboxEvent> of(
      Envelope<BuildDone> build,
      String scanId,
      ScanOutcome outcome,
      ScanPolicy policy,
      int maxFindings) {
    BuildDone done = build.data();
    GateResult gate = outcome.gate();
    List<Finding> findings = gate.findings();
    String findingsRef = null;
    if (findings.size() > maxFindings) {
      // Blocking findings sort first, so the ones that failed the gate are always in the event.
      findings = findings.subList(0, maxFindings);
      findingsRef = findingsRef(scanId);
    }
    ScanDone scanDone =
        new ScanDone(
            gate.verdict(),
            gate.counts(),
            findings,
            policy,
            outcome.dbVersion(),
            done.image().digest(),
            scanId,
            done.image().repository(),
            done.ignores(),
            gate.licenseViolations(),
            findingsRef,
            gate.reason());
    List<OutboxEvent> events = new ArrayList<>();
    events.add(
        OutboxEvent.of(
            EventType.SCAN_DONE,
            Envelope.causedBy(
                build,
                EventType.SCAN_DONE,
                SOURCE,
                Envelope.derivedId("scan.done", scanId),
                scanDone)));
    List<EnvironmentSpec> chain =
        done.run() == null ? List.of() : done.run().pipeline().environments();
    if (gate.verdict() == Verdict.PASSED && !chain.isEmpty()) {
      String environment = chain.get(0).name();
      DeployRequested deploy =
          new DeployRequested(
              environment,
              done.image().repository(),
              done.image().digest(),
              DeployRequested.Reason.SCAN_PASSED,
              REQUESTED_BY,
              done.run(),
              List.of(),
              null,
              null,
              // What is promoted is exactly what was rendered (and scanned) with the image.
              done.manifests());
      events.add(
          OutboxEvent.of(
              EventType.DEPLOY_REQUESTED,
              Envelope.causedBy(
                  build,
                  EventType.DEPLOY_REQUESTED,
                  SOURCE,
                  Envelope.derivedId("deploy.requested", scanId, environment),
                  deploy)));
    }
    return events;
  }
}

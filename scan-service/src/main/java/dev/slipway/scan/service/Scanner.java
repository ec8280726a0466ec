package dev.slipway.scan.service;

import dev.slipway.events.ScanDone.Verdict;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.policy.GateResult;
import dev.slipway.scan.policy.PolicyGate;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.DatabaseState;
import dev.slipway.scan.sbom.SbomReader;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Scans one SBOM: read its components, match them, apply the policy. Fails closed: with no usable
 * advisory database (nothing imported, or the configured import failed) the scan ends ERROR with
 * that reason, unless the application's policy explicitly allows scanning without one.
 */
@ApplicationScoped
public class Scanner {

  private final ComponentMatcher matcher;
  private final AdvisoryRepository advisories;

  public Scanner(ComponentMatcher matcher, AdvisoryRepository advisories) {
    this.matcher = matcher;
    this.advisories = advisories;
  }

  /**
   * The outcome of scanning {@code sbom} under {@code policy} and {@code ignores} today.
   *
   * @throws SbomReader.SbomFormatException (as the Uni's failure) when it is no CycloneDX SBOM
   */
  public Uni<ScanOutcome> scan(byte[] sbom, ScanPolicy policy, List<VulnerabilityIgnore> ignores) {
    return Uni.createFrom()
        .item(() -> SbomReader.read(sbom))
        .flatMap(
            read ->
                advisories
                    .database()
                    .flatMap(
                        database -> {
                          String unusable = database.unusableReason();
                          if (unusable != null && !policy.allowWithoutDatabase()) {
                            return Uni.createFrom()
                                .item(
                                    new ScanOutcome(
                                        error(unusable),
                                        database.version(),
                                        read.packages(),
                                        read.unmatched(),
                                        sbom));
                          }
                          return matcher
                              .match(read.packages())
                              .map(
                                  matched -> {
                                    GateResult gate =
                                        PolicyGate.evaluate(
                                            matched,
                                            read.components(),
                                            policy,
                                            ignores,
                                            LocalDate.now(ZoneOffset.UTC));
                                    return new ScanOutcome(
                                        unusable == null ? gate : allowedWithout(gate, unusable),
                                        database.version(),
                                        read.packages(),
                                        read.unmatched(),
                                        sbom);
                                  });
                        }));
  }

  /** The outcome of a scan that could not read its SBOM: FAILED, nothing matched. */
  public Uni<ScanOutcome> unreadable(String reason) {
    return advisories
        .database()
        .map(
            database ->
                new ScanOutcome(
                    new GateResult(Verdict.FAILED, zeroCounts(), List.of(), List.of(), reason),
                    database.version(),
                    List.of(),
                    List.of(),
                    null));
  }

  private static GateResult error(String reason) {
    return new GateResult(
        Verdict.ERROR,
        zeroCounts(),
        List.of(),
        List.of(),
        reason + "; nothing is deployed (an application's scan policy may allow this explicitly)");
  }

  private static GateResult allowedWithout(GateResult gate, String unusable) {
    return new GateResult(
        gate.verdict(),
        gate.counts(),
        gate.findings(),
        gate.licenseViolations(),
        gate.reason() + " (" + unusable + "; the policy allows scanning without one)");
  }

  private static Map<Severity, Integer> zeroCounts() {
    Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
    for (Severity severity : Severity.values()) {
      counts.put(severity, 0);
    }
    return counts;
  }

  /** The database's state, for callers that report it. */
  public Uni<DatabaseState> database() {
    return advisories.database();
  }
}

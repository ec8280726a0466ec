package dev.slipway.scan.service;

import dev.slipway.events.ScanDone.Verdict;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.repository.AdvisoryRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Scans one SBOM: read its components, match them, apply the policy. */
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
                    .version()
                    .flatMap(
                        version ->
                            matcher
                                .match(read.components())
                                .map(
                                    matched ->
                                        new ScanOutcome(
                                            PolicyGate.evaluate(
                                                matched,
                                                read.components(),
                                                policy,
                                                ignores,
                                                LocalDate.now(ZoneOffset.UTC)),
                                            version,
                                            read.components(),
                                            read.unmatched(),
                                            sbom))));
  }

  /** The outcome of a scan that could not read its SBOM: FAILED, nothing matched. */
  public Uni<ScanOutcome> unreadable(String reason) {
    return advisories
        .version()
        .map(
            version -> {
              Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
              for (Severity severity : Severity.values()) {
                counts.put(severity, 0);
              }
              return new ScanOutcome(
                  new GateResult(Verdict.FAILED, counts, List.of(), List.of(), reason),
                  version,
                  List.of(),
                  0,
                  null);
            });
  }
}

package dev.slipway.scan.service;

import com.contrastsecurity.sarif.SarifSchema210;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.problem.NotFoundException;
import dev.slipway.scan.Scan;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.ScanQueries;
import dev.slipway.scan.repository.ScanQueries.Position;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Reading scans: pages, one scan, its SARIF and its SBOM. */
@ApplicationScoped
public class ScanService {

  private final ScanQueries scans;
  private final AdvisoryRepository advisories;

  public ScanService(ScanQueries scans, AdvisoryRepository advisories) {
    this.scans = scans;
    this.advisories = advisories;
  }

  /** A page of scans, newest first. */
  public Uni<List<Scan>> page(List<String> applications, Position after, int limit) {
    return scans.page(applications, after, limit);
  }

  /** One scan with its findings. */
  public Uni<Scan> find(String scanId) {
    return scans
        .find(scanId)
        .map(found -> found.orElseThrow(() -> new NotFoundException("No scan " + scanId + ".")));
  }

  /** The SARIF 2.1.0 log of a scan. */
  public Uni<SarifSchema210> sarif(String scanId) {
    return find(scanId)
        .flatMap(
            scan ->
                advisories
                    .summaries(
                        scan.findings().stream().map(Finding::advisoryId).distinct().toList())
                    .map(summaries -> SarifReport.of(scan, summaries)));
  }

  /** The SBOM a scan read. */
  public Uni<byte[]> sbom(String scanId) {
    return scans
        .sbom(scanId)
        .map(
            found -> {
              var stored =
                  found.orElseThrow(() -> new NotFoundException("No scan " + scanId + "."));
              if (stored.sbom() == null) {
                throw new NotFoundException(
                    "Scan "
                        + scanId
                        + " has no SBOM: it is "
                        + stored.status()
                        + (stored.status().isDone() ? " (its SBOM could not be read)" : ""));
              }
              return stored.sbom();
            });
  }
}

package dev.slipway.scan;

import dev.slipway.scan.policy.GateResult;
import dev.slipway.scan.sbom.InstalledPackage;
import dev.slipway.scan.sbom.Unmatched;
import java.util.List;

/**
 * A scan's result, ready to be stored.
 *
 * @param gate the verdict, findings and reason
 * @param dbVersion the database version matched against
 * @param packages the packages matched
 * @param unmatched the components that could not be matched, with the reason
 * @param sbom the SBOM document scanned; null when it could not be read
 */
public record ScanOutcome(
    GateResult gate,
    String dbVersion,
    List<InstalledPackage> packages,
    List<Unmatched> unmatched,
    byte[] sbom) {

  public ScanOutcome {
    packages = List.copyOf(packages);
    unmatched = List.copyOf(unmatched);
  }
}

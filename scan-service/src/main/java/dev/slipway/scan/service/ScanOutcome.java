package dev.slipway.scan.service;

import java.util.List;

/**
 * A scan's result, ready to be stored.
 *
 * @param gate the verdict, findings and reason
 * @param dbVersion the database version matched against
 * @param components the components matched
 * @param unmatched components that could not be matched
 * @param sbom the SBOM document scanned; null when it could not be read
 */
public record ScanOutcome(
    GateResult gate, String dbVersion, List<Component> components, int unmatched, byte[] sbom) {

  public ScanOutcome {
    components = List.copyOf(components);
  }
}

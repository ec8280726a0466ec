package dev.slipway.scan.service;

import dev.slipway.events.Severity;
import java.util.List;

/**
 * A component affected by a vulnerability, advisories that alias each other merged into one.
 *
 * @param advisoryId the id the finding is reported under
 * @param aliases every other id of the merged advisories
 * @param packageUrl the component's purl
 * @param version the installed version
 * @param severity the highest severity of the merged advisories
 * @param fixedVersion the lowest fixed version above the installed one; null when none is known
 */
public record MatchedFinding(
    String advisoryId,
    List<String> aliases,
    String packageUrl,
    String version,
    Severity severity,
    String fixedVersion) {

  public MatchedFinding {
    aliases = List.copyOf(aliases);
  }

  /** Whether {@code id} names this finding: its id or any alias. */
  public boolean isNamed(String id) {
    return advisoryId.equalsIgnoreCase(id)
        || aliases.stream().anyMatch(a -> a.equalsIgnoreCase(id));
  }
}

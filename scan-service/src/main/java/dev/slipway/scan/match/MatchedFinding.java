package dev.slipway.scan.match;

import dev.slipway.events.Severity;
import java.util.List;

/**
 * A component affected by a vulnerability, the records of that one vulnerability merged into one.
 *
 * @param advisoryId the id the finding is reported under
 * @param aliases every other id of the merged records (their ids and OSV aliases)
 * @param packageUrl the component's purl
 * @param version the installed version
 * @param severity the highest severity of the merged records; UNKNOWN when none states one
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

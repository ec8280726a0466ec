package dev.slipway.scan.osv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.Severity;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One OSV advisory as scan-service keeps it.
 *
 * @param id the OSV id, e.g. {@code GHSA-jfh8-c2jp-5v3q}
 * @param aliases its other ids (CVE, PYSEC, ...)
 * @param modified when the source last changed it; a newer one replaces an older one
 * @param published when it was published; may be null
 * @param withdrawn when it was withdrawn; null while it stands
 * @param summary one line about it; may be null
 * @param severity scored from its CVSS vector, else its database's own rating
 * @param affected the packages and versions it affects
 * @param document the OSV JSON as imported
 */
public record Advisory(
    String id,
    List<String> aliases,
    OffsetDateTime modified,
    OffsetDateTime published,
    OffsetDateTime withdrawn,
    String summary,
    AdvisorySeverity severity,
    List<AffectedPackage> affected,
    JsonNode document) {

  public Advisory {
    aliases = List.copyOf(aliases);
    affected = List.copyOf(affected);
  }

  /** Whether it was withdrawn and must no longer match. */
  public boolean isWithdrawn() {
    return withdrawn != null;
  }

  /**
   * How severe an advisory is.
   *
   * @param level the rating
   * @param score the CVSS base score it came from; null when rated by its database
   * @param vector the CVSS vector scored; null when none
   */
  public record AdvisorySeverity(Severity level, Double score, String vector) {}
}

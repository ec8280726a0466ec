package dev.slipway.scan.match;

import dev.slipway.events.Severity;
import dev.slipway.scan.osv.AffectedPackage;
import java.util.List;

/**
 * One affected package of a standing (not withdrawn) advisory, loaded for the packages of a scan.
 *
 * @param advisoryId the advisory
 * @param aliases its aliases (OSV {@code aliases}: other ids of the same vulnerability)
 * @param severity its severity; UNKNOWN when it states none
 * @param release the operating system release the entry is limited to ({@code 12} of {@code
 *     Debian:12}); null for any
 * @param module the Go module it was loaded for, when it names a package path below that module
 * @param affected the package and versions
 */
public record Candidate(
    String advisoryId,
    List<String> aliases,
    Severity severity,
    String release,
    String module,
    AffectedPackage affected) {

  public Candidate {
    aliases = List.copyOf(aliases);
  }

  /** The same entry seen from the Go module {@code module}. */
  public Candidate forModule(String module) {
    return new Candidate(advisoryId, aliases, severity, release, module, affected);
  }
}

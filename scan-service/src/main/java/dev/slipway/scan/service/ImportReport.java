package dev.slipway.scan.service;

import dev.slipway.scan.repository.DatabaseState;
import java.util.List;

/**
 * What one import of OSV files did.
 *
 * @param files OSV files read (JSON entries of the zip or folder)
 * @param inserted advisories new to the database
 * @param updated advisories replaced by a newer {@code modified}
 * @param unchanged advisories already stored as new or newer
 * @param withdrawn imported advisories that are withdrawn (they no longer match)
 * @param skipped entries that are no OSV file (folders, other files)
 * @param quarantined files left out (malformed, empty, too large, a zip past its limits), each
 *     named with the place at fault; the rest was imported
 * @param state the database's state after the import
 * @param dbVersion the database version after the import
 * @param durationMs wall time of the import
 */
public record ImportReport(
    int files,
    int inserted,
    int updated,
    int unchanged,
    int withdrawn,
    int skipped,
    List<QuarantinedFile> quarantined,
    DatabaseState.State state,
    String dbVersion,
    long durationMs) {

  public ImportReport {
    quarantined = List.copyOf(quarantined);
  }

  /**
   * An OSV file (or zip) that was left out.
   *
   * @param file its name in the zip or folder
   * @param line the line at fault, 1-based; 0 when unknown
   * @param column the column at fault, 1-based; 0 when unknown
   * @param pointer JSON pointer of the value at fault; null when none
   * @param message what is wrong
   */
  public record QuarantinedFile(
      String file, int line, int column, String pointer, String message) {}
}

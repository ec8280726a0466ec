package dev.slipway.audit.service;

import java.util.List;

/**
 * The last line of an NDJSON export: proof of what it holds, so a cut-off or edited file is told
 * apart from a complete one, with no database.
 *
 * @param rows rows in the export
 * @param firstSeq seq of the first row; null when there is none
 * @param lastSeq seq of the last row; null when there is none
 * @param contiguous whether the rows are every row from {@code firstSeq} to {@code lastSeq} (no
 *     event-time filter)
 * @param logSize rows in the log when the export was read
 * @param rangeRoot hex RFC 6962 Merkle root over the exported rows' leaf hashes, in order; for a
 *     contiguous export from seq 1 it is the log's root at {@code lastSeq}
 * @param prefix for a contiguous export, the log's tree before {@code firstSeq}: with the rows it
 *     gives the log's root at any later size, to compare with a checkpoint; null otherwise
 * @param checkpoint the latest signed checkpoint when the export was read (C2SP signed note)
 */
public record ExportTrailer(
    long rows,
    Long firstSeq,
    Long lastSeq,
    boolean contiguous,
    long logSize,
    String rangeRoot,
    Prefix prefix,
    String checkpoint) {

  /**
   * The tree before an export's first row.
   *
   * @param treeSize its size, {@code firstSeq - 1}
   * @param frontier hex roots of the perfect subtrees that make it up, leftmost first
   */
  public record Prefix(long treeSize, List<String> frontier) {}

  /** The line itself: {@code {"trailer": {...}}}. */
  public record Line(ExportTrailer trailer) {}
}

package dev.slipway.audit.service;

import java.util.List;

/**
 * The outcome of verifying a range of the log.
 *
 * @param status OK when every row and every checkpoint checked matches, FAILED otherwise
 * @param fromSeq first row of the range
 * @param toSeq last row of the range (of this chunk)
 * @param checked rows checked, up to and including the first mismatch
 * @param lastHash hex chain hash of the last row checked
 * @param rootHash hex Merkle root of the log's first {@code toSeq} rows, from the rows themselves
 *     (null when the check stopped early)
 * @param checkpoints sizes of the signed checkpoints whose roots were compared
 * @param nextFrom where the next chunk starts when the range was longer than one call checks; null
 *     when this is the end
 * @param mismatch the first thing that does not match; null when OK
 */
public record VerificationReport(
    Status status,
    long fromSeq,
    long toSeq,
    long checked,
    String lastHash,
    String rootHash,
    List<Long> checkpoints,
    Long nextFrom,
    Mismatch mismatch) {

  /** Whether the range verified. */
  public enum Status {
    OK,
    FAILED
  }

  /** What did not match. */
  public enum Reason {
    /** A row's columns do not give its stored leaf or chain hash: it changed behind the log. */
    CONTENT,
    /** A row's prev_hash is not the previous row's hash: a row before it changed. */
    LINK,
    /** No row at this position: deleted, cut off the end, or asked for past the end. */
    MISSING,
    /** The stored Merkle tree nodes do not match the rows. */
    TREE,
    /** The rows do not give the root a signed checkpoint states, or it is not validly signed. */
    CHECKPOINT
  }

  /**
   * The first mismatch.
   *
   * @param seq the row (or, for CHECKPOINT and TREE, the tree size) where it was found
   * @param eventId the row's event id, when there is a row
   * @param reason what kind of mismatch
   * @param detail what was expected and what was found
   */
  public record Mismatch(long seq, String eventId, Reason reason, String detail) {}
}

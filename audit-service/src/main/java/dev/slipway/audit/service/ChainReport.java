package dev.slipway.audit.service;

/**
 * The outcome of checking the chain over a range of rows.
 *
 * @param status {@code OK} when every row checked matches, {@code BROKEN} otherwise
 * @param fromSeq first row of the range checked
 * @param toSeq last row of the range checked
 * @param checked how many rows were checked (up to and including the first mismatch)
 * @param lastHash hex hash of the last row checked; publish it elsewhere to anchor the chain
 * @param mismatch the first row that does not match; null when the status is OK
 */
public record ChainReport(
    String status, long fromSeq, long toSeq, long checked, String lastHash, Mismatch mismatch) {

  /**
   * The first row whose content or link does not match.
   *
   * @param seq its position in the chain
   * @param eventId its event id, when it still has a row
   * @param reason CONTENT (its fields do not give its hash), LINK (its prev_hash is not the
   *     previous row's hash) or MISSING (no row at this position)
   * @param detail what was expected and found
   */
  public record Mismatch(long seq, String eventId, String reason, String detail) {}
}

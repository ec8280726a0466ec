package dev.slipway.scan;

/**
 * Where a scan is: waiting, claimed by a worker, or done with its verdict (ERROR: it could not
 * look, e.g. there is no advisory database).
 */
public enum ScanStatus {
  PENDING,
  SCANNING,
  PASSED,
  FAILED,
  ERROR;

  /** Whether the scan has its verdict. */
  public boolean isDone() {
    return this == PASSED || this == FAILED || this == ERROR;
  }
}

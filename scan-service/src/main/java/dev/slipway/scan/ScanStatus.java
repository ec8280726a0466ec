package dev.slipway.scan;

/** Where a scan is: waiting, claimed by a worker, or done with its verdict. */
public enum ScanStatus {
  PENDING,
  SCANNING,
  PASSED,
  FAILED;

  /** Whether the scan has its verdict. */
  public boolean isDone() {
    return this == PASSED || this == FAILED;
  }
}

package dev.slipway.events;

/** Severity of a vulnerability finding, lowest first. */
public enum Severity {
  UNKNOWN,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /** Whether this severity is {@code threshold} or worse. */
  public boolean atLeast(Severity threshold) {
    return compareTo(threshold) >= 0;
  }
}

package dev.slipway.events;

/** Severity of a vulnerability finding, lowest first. */
public enum Severity {
  UNKNOWN,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL
}

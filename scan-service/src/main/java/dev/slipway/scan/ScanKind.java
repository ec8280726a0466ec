package dev.slipway.scan;

/** Why a scan exists: a build asked for it, or a user uploaded an SBOM. */
public enum ScanKind {
  BUILD,
  ADHOC
}

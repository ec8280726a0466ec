package dev.slipway.scan.sbom;

/**
 * A component the scan could not match against the database, and why: reported with the scan, so
 * nothing is left out without a trace.
 *
 * @param component its purl, else {@code name@version}
 * @param reason why it could not be matched
 */
public record Unmatched(String component, String reason) {}

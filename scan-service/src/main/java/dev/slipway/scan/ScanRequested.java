package dev.slipway.scan;

/**
 * A CDI event: a scan was recorded and committed, so an idle worker should look now. Wake-ups
 * travel as events rather than calls, so the consumer does not depend on the worker.
 */
public record ScanRequested(String scanId) {}

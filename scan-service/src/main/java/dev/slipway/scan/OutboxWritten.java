package dev.slipway.scan;

/**
 * A CDI event: events were committed to the outbox, so the relay should look now. Wake-ups travel
 * as events rather than calls, so the workers do not depend on the relay.
 */
public record OutboxWritten(int events) {}

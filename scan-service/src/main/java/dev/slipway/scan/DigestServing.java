package dev.slipway.scan;

/**
 * A CDI event: a deploy.done put a digest in service and a re-evaluation of it was queued, so the
 * re-evaluator should look now.
 */
public record DigestServing(String digest) {}

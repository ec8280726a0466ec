package dev.slipway.trigger.api;

/**
 * Body of {@code POST /api/apps/{name}/runs}.
 *
 * @param ref a full ref ({@code refs/heads/main}, {@code refs/tags/v1}) or a branch name
 * @param commit the commit SHA to run (40 or 64 hex digits)
 */
public record RunRequest(String ref, String commit) {}

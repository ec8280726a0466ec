package dev.slipway.trigger.api;

/**
 * Where build-service clones an application's commits from, when not anonymously from its
 * repository URL.
 *
 * @param cloneUrl an {@code https://}, {@code ssh://} (or {@code git@host:path}) or {@code file://}
 *     URL, without credentials; absent: the repository URL
 * @param credentialsRef the NAME of the read credentials build-service looks up (a DNS-1123
 *     subdomain such as {@code acme-read-token}), never the credentials themselves; absent:
 *     anonymous
 */
public record SourceBody(String cloneUrl, String credentialsRef) {}

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
 * @param directory the application's folder in a repository several applications share (a
 *     monorepo), relative to its root: its {@code .slipway.yaml} is read there and its SBOM covers
 *     only that folder; absent: the repository root
 */
public record SourceBody(String cloneUrl, String credentialsRef, String directory) {}

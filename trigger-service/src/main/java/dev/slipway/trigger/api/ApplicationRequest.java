package dev.slipway.trigger.api;

import java.util.List;

/**
 * Body of {@code POST /api/apps} and {@code PUT /api/apps/{name}}.
 *
 * @param name DNS label; on PUT it may be left out, or must equal the path
 * @param repositoryUrl https, ssh or scp-like ({@code git@host:owner/repo.git}) URL
 * @param provider github, gitlab, bitbucket or gitea
 * @param webhookSecret the secret the Git host signs with; write-only, kept as is on PUT when left
 *     out
 * @param branches branch globs that start runs; left out: every branch ({@code **})
 * @param tags tag globs that start runs; left out: every tag ({@code **})
 * @param environments the promotion chain, first environment first
 * @param scanPolicy the vulnerability gate
 */
public record ApplicationRequest(
    String name,
    String repositoryUrl,
    String provider,
    String webhookSecret,
    List<String> branches,
    List<String> tags,
    List<EnvironmentBody> environments,
    ScanPolicyBody scanPolicy) {}

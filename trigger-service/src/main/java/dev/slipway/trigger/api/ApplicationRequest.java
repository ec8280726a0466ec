package dev.slipway.trigger.api;

import java.util.List;

/**
 * Body of {@code POST /api/apps} and {@code PUT /api/apps/{name}}. Properties not listed here are
 * rejected with 400 naming them.
 *
 * @param name DNS label; on PUT it may be left out, or must equal the path
 * @param repositoryUrl https, ssh or scp-like ({@code git@host:owner/repo.git}) URL
 * @param provider github, gitlab, bitbucket or gitea
 * @param webhookSecret the secret the Git host signs with; write-only, kept as is on PUT when left
 *     out
 * @param branches branch globs that start runs, at most 50; left out: every branch ({@code **})
 * @param tags tag globs that start runs, at most 50; left out: every tag ({@code **})
 * @param environments the promotion chain, first environment first, at most 10
 * @param scanPolicy the vulnerability and licence gate
 * @param source where build-service clones from; left out: the repository URL, anonymously
 * @param team the team that owns the application (DNS label); left out: none, so only platform-wide
 *     role bindings reach it
 * @param build trusted refs and the secrets builds may read; left out: main, none
 */
public record ApplicationRequest(
    String name,
    String repositoryUrl,
    String provider,
    String webhookSecret,
    List<String> branches,
    List<String> tags,
    List<EnvironmentBody> environments,
    ScanPolicyBody scanPolicy,
    SourceBody source,
    String team,
    BuildBody build) {

  /** A request that names no team and leaves the build settings at their defaults. */
  public ApplicationRequest(
      String name,
      String repositoryUrl,
      String provider,
      String webhookSecret,
      List<String> branches,
      List<String> tags,
      List<EnvironmentBody> environments,
      ScanPolicyBody scanPolicy,
      SourceBody source) {
    this(
        name,
        repositoryUrl,
        provider,
        webhookSecret,
        branches,
        tags,
        environments,
        scanPolicy,
        source,
        null,
        null);
  }
}

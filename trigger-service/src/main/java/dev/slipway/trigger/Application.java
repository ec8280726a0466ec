package dev.slipway.trigger;

import dev.slipway.events.BuildSettings;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.SourceSpec;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * An application in the registry: where its commits come from, which refs start a run, and the
 * platform-owned pipeline (environments, scan policy, trusted refs and secret grants of its builds)
 * every run of it follows. One row of {@code applications}, read and written by {@code
 * ApplicationRepository}.
 */
public class Application {

  /** DNS label, the key of every event of this application. */
  public String name;

  /** The team that owns it; null: none (only platform-wide roles reach it). */
  public String team;

  /** Normalized repository URL, see {@code RepositoryUrl}. */
  public String repoUrl;

  public GitProvider provider;

  /** The webhook secret, AES-GCM encrypted; never leaves the service in clear. */
  public byte[] webhookSecret;

  public List<String> branchFilters;

  public List<String> tagFilters;

  public List<EnvironmentSpec> environments;

  public Severity scanFailOn;

  public boolean scanIgnoreUnfixed;

  /** SPDX licence ids whose presence fails the scan. */
  public List<String> scanDeniedLicenses;

  /** The severity an advisory without one is gated as. */
  public Severity scanUnknownSeverityAs = ScanPolicy.DEFAULT_UNKNOWN_SEVERITY_AS;

  /** The explicit opt-out: a scan may pass without an advisory database. */
  public boolean scanAllowWithoutDatabase;

  /** Where build-service clones from instead of the repository URL; null: the repository URL. */
  public String sourceCloneUrl;

  /** Name of the read credentials build-service resolves; never the credentials; null: none. */
  public String sourceCredentialsRef;

  /** The application's folder in a monorepo; null: the repository root. */
  public String sourceDirectory;

  /** The branch every build may restore the cache of. */
  public String buildDefaultBranch = "main";

  /** Globs of further trusted refs. */
  public List<String> buildProtectedRefs = List.of();

  /** The platform secrets builds may read, each bound to refs. */
  public List<BuildSettings.SecretGrant> buildSecrets = List.of();

  public OffsetDateTime createdAt;

  public OffsetDateTime updatedAt;

  /** Raised by every update; an update made from an older read changes nothing (409). */
  public long version;

  /** The pipeline a run started now follows. */
  public PipelineSnapshot pipeline() {
    return new PipelineSnapshot(
        environments,
        new ScanPolicy(
            scanFailOn,
            scanIgnoreUnfixed,
            scanDeniedLicenses,
            scanUnknownSeverityAs,
            scanAllowWithoutDatabase),
        new SourceSpec(sourceCloneUrl, sourceCredentialsRef, sourceDirectory),
        new BuildSettings(buildDefaultBranch, buildProtectedRefs, buildSecrets));
  }
}

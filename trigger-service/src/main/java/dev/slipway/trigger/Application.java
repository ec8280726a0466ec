package dev.slipway.trigger;

import dev.slipway.events.BuildSettings;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.SourceSpec;
import dev.slipway.trigger.repository.EnvironmentListConverter;
import dev.slipway.trigger.repository.SecretGrantListConverter;
import dev.slipway.trigger.repository.StringListConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * An application in the registry: where its commits come from, which refs start a run, and the
 * platform-owned pipeline (environments, scan policy, trusted refs and secret grants of its builds)
 * every run of it follows.
 */
@Entity
@Table(name = "applications")
public class Application {

  /** DNS label, the key of every event of this application. */
  @Id public String name;

  /** The team that owns it; null: none (only platform-wide roles reach it). */
  @Column(name = "team")
  public String team;

  /** Normalized repository URL, see {@code RepositoryUrl}. */
  @Column(name = "repo_url", nullable = false)
  public String repoUrl;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public GitProvider provider;

  /** The webhook secret, AES-GCM encrypted; never leaves the service in clear. */
  @Column(name = "webhook_secret", nullable = false)
  public byte[] webhookSecret;

  @Convert(converter = StringListConverter.class)
  @Column(name = "branch_filters", nullable = false)
  public List<String> branchFilters;

  @Convert(converter = StringListConverter.class)
  @Column(name = "tag_filters", nullable = false)
  public List<String> tagFilters;

  @Convert(converter = EnvironmentListConverter.class)
  @Column(nullable = false)
  public List<EnvironmentSpec> environments;

  @Enumerated(EnumType.STRING)
  @Column(name = "scan_fail_on", nullable = false)
  public Severity scanFailOn;

  @Column(name = "scan_ignore_unfixed", nullable = false)
  public boolean scanIgnoreUnfixed;

  /** SPDX licence ids whose presence fails the scan. */
  @Convert(converter = StringListConverter.class)
  @Column(name = "scan_denied_licenses", nullable = false)
  public List<String> scanDeniedLicenses;

  /** The severity an advisory without one is gated as. */
  @Enumerated(EnumType.STRING)
  @Column(name = "scan_unknown_severity_as", nullable = false)
  public Severity scanUnknownSeverityAs = ScanPolicy.DEFAULT_UNKNOWN_SEVERITY_AS;

  /** The explicit opt-out: a scan may pass without an advisory database. */
  @Column(name = "scan_allow_without_database", nullable = false)
  public boolean scanAllowWithoutDatabase;

  /** Where build-service clones from instead of the repository URL; null: the repository URL. */
  @Column(name = "source_clone_url")
  public String sourceCloneUrl;

  /** Name of the read credentials build-service resolves; never the credentials; null: none. */
  @Column(name = "source_credentials_ref")
  public String sourceCredentialsRef;

  /** The application's folder in a monorepo; null: the repository root. */
  @Column(name = "source_directory")
  public String sourceDirectory;

  /** The branch every build may restore the cache of. */
  @Column(name = "build_default_branch", nullable = false)
  public String buildDefaultBranch = "main";

  /** Globs of further trusted refs. */
  @Convert(converter = StringListConverter.class)
  @Column(name = "build_protected_refs", nullable = false)
  public List<String> buildProtectedRefs = List.of();

  /** The platform secrets builds may read, each bound to refs. */
  @Convert(converter = SecretGrantListConverter.class)
  @Column(name = "build_secrets", nullable = false)
  public List<BuildSettings.SecretGrant> buildSecrets = List.of();

  @Column(name = "created_at", nullable = false)
  public OffsetDateTime createdAt;

  @Column(name = "updated_at", nullable = false)
  public OffsetDateTime updatedAt;

  @Version public long version;

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

package dev.slipway.trigger;

import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.SourceSpec;
import dev.slipway.trigger.repository.EnvironmentListConverter;
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
 * platform-owned pipeline (environments, scan policy) every run of it follows.
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

  /** Where build-service clones from instead of the repository URL; null: the repository URL. */
  @Column(name = "source_clone_url")
  public String sourceCloneUrl;

  /** Name of the read credentials build-service resolves; never the credentials; null: none. */
  @Column(name = "source_credentials_ref")
  public String sourceCredentialsRef;

  @Column(name = "created_at", nullable = false)
  public OffsetDateTime createdAt;

  @Column(name = "updated_at", nullable = false)
  public OffsetDateTime updatedAt;

  @Version public long version;

  /** The pipeline a run started now follows. */
  public PipelineSnapshot pipeline() {
    return new PipelineSnapshot(
        environments,
        new ScanPolicy(scanFailOn, scanIgnoreUnfixed, scanDeniedLicenses),
        new SourceSpec(sourceCloneUrl, sourceCredentialsRef));
  }
}

package dev.slipway.console.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * What the console reads from the five services, in the services' own JSON shapes. Every record
 * ignores members it does not know, so a service may add fields without breaking a page; a renamed
 * or moved member is an edit here only.
 */
public final class ApiModel {

  private ApiModel() {}

  /** trigger-service: one application with its environment chain. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Application(
      String name,
      String repositoryUrl,
      String provider,
      List<Environment> environments,
      OffsetDateTime createdAt) {
    public Application {
      environments = environments == null ? List.of() : environments;
    }
  }

  /** One environment of an application's chain. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Environment(
      String name,
      String cluster,
      String namespace,
      String promotion,
      Integer requiredApprovals,
      String strategy,
      List<Integer> canarySteps) {}

  /** build-service: one build attempt. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Build(
      String id,
      String runId,
      int attempt,
      String application,
      String commitSha,
      String ref,
      String status,
      String requestedBy,
      OffsetDateTime queuedAt,
      OffsetDateTime startedAt,
      OffsetDateTime finishedAt,
      Long durationMs,
      Image image,
      TestCounts tests,
      Failure failure,
      Map<String, Long> stageDurationsMs,
      String cancelRequestedBy,
      List<Step> steps) {
    public Build {
      steps = steps == null ? List.of() : steps;
      stageDurationsMs = stageDurationsMs == null ? Map.of() : stageDurationsMs;
    }

    /** Whether the build ended. */
    public boolean ended() {
      return !"QUEUED".equals(status) && !"RUNNING".equals(status);
    }
  }

  /** An image built, pinned by digest. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Image(String reference, String digest) {}

  /** Test counts from a build's JUnit reports. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TestCounts(int passed, int failed, int skipped) {}

  /** Why a build did not succeed. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Failure(String step, Integer exitCode, String reason) {}

  /** One step of a build. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Step(
      int position,
      String name,
      String status,
      Integer exitCode,
      OffsetDateTime startedAt,
      Long durationMs) {}

  /** scan-service: one scan (findings only on a single scan). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Scan(
      String scanId,
      String application,
      String runId,
      String commitSha,
      String image,
      String imageDigest,
      String status,
      String reason,
      Policy policy,
      List<Ignore> ignores,
      String dbVersion,
      Map<String, Integer> counts,
      Integer components,
      OffsetDateTime requestedAt,
      OffsetDateTime finishedAt,
      List<Finding> findings,
      List<LicenseViolation> licenseViolations) {
    public Scan {
      ignores = ignores == null ? List.of() : ignores;
      counts = counts == null ? Map.of() : counts;
      findings = findings == null ? List.of() : findings;
      licenseViolations = licenseViolations == null ? List.of() : licenseViolations;
    }
  }

  /** The policy a scan applied. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Policy(String failOn, boolean ignoreUnfixed, List<String> deniedLicenses) {}

  /** A repository's justified, expiring ignore of an advisory. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Ignore(String id, String reason, LocalDate expires) {}

  /** One finding of a scan. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Finding(
      String advisoryId,
      String packageUrl,
      String version,
      String severity,
      String fixedVersion,
      boolean ignored,
      List<String> aliases,
      boolean blocking,
      String note) {
    public Finding {
      aliases = aliases == null ? List.of() : aliases;
    }
  }

  /** A component under a denied licence. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LicenseViolation(String packageUrl, String license) {}

  /** scan-service: where a vulnerability runs now. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Exposure(String query, List<String> advisories, List<Exposed> exposures) {
    public Exposure {
      advisories = advisories == null ? List.of() : advisories;
      exposures = exposures == null ? List.of() : exposures;
    }
  }

  /** One running component affected. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Exposed(
      String application,
      String environment,
      String cluster,
      String namespace,
      String image,
      String digest,
      OffsetDateTime since,
      String purl,
      String version,
      List<Vulnerability> vulnerabilities) {
    public Exposed {
      vulnerabilities = vulnerabilities == null ? List.of() : vulnerabilities;
    }
  }

  /** An advisory affecting a running component. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Vulnerability(
      String id, List<String> aliases, String severity, String fixedVersion) {}

  /** deploy-service: one rollout. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rollout(
      String id,
      String runId,
      String application,
      String environment,
      String image,
      String imageDigest,
      String reason,
      String requestedBy,
      String status,
      String phase,
      int step,
      String cluster,
      String namespace,
      String strategy,
      Long revision,
      String servingDigest,
      String outcome,
      OffsetDateTime requestedAt,
      OffsetDateTime startedAt,
      OffsetDateTime finishedAt) {

    /** Whether it is over. */
    public boolean finished() {
      return "SUCCEEDED".equals(status) || "FAILED".equals(status) || "ROLLED_BACK".equals(status);
    }
  }

  /** A rollout and every step it took. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RolloutDetail(Rollout rollout, List<RolloutLogEntry> log) {
    public RolloutDetail {
      log = log == null ? List.of() : log;
    }
  }

  /** One step a rollout took. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RolloutLogEntry(OffsetDateTime at, String phase, int step, String message) {}

  /** deploy-service: one revision of an application in an environment. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Release(
      long revision,
      String rolloutId,
      String image,
      String imageDigest,
      String runId,
      String commitSha,
      String author,
      String requestReason,
      String requestedBy,
      List<String> approvers,
      String strategy,
      String status,
      String outcome,
      OffsetDateTime startedAt,
      OffsetDateTime finishedAt) {
    public Release {
      approvers = approvers == null ? List.of() : approvers;
    }
  }

  /** deploy-service: an environment compared with its last successful revision. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Drift(
      String application,
      String environment,
      long revision,
      OffsetDateTime checkedAt,
      boolean inSync,
      List<ObjectDrift> objects) {
    public Drift {
      objects = objects == null ? List.of() : objects;
    }

    /** How many objects drifted or are missing. */
    public long drifted() {
      return objects.stream().filter(o -> !"InSync".equals(o.status())).count();
    }
  }

  /** One object's drift. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ObjectDrift(String kind, String name, String status, List<String> differences) {}

  /** deploy-service: a manual promotion waiting for approvers. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Approval(
      String id,
      String application,
      String environment,
      String image,
      String imageDigest,
      String runId,
      String commitSha,
      String author,
      String actor,
      int required,
      List<Vote> approvals,
      String status,
      String reason,
      String decidedBy,
      OffsetDateTime createdAt,
      OffsetDateTime decidedAt) {
    public Approval {
      approvals = approvals == null ? List.of() : approvals;
    }

    /** Whether it still waits for approvers. */
    public boolean pending() {
      return "PENDING".equals(status);
    }
  }

  /** One approver's approval. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Vote(String approver, OffsetDateTime at) {}

  /** audit-service: one row of the log. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AuditEvent(
      long seq,
      OffsetDateTime recordedAt,
      String topic,
      String eventId,
      String type,
      String source,
      String application,
      String runId,
      String causationId,
      String commitSha,
      String environment,
      String actor,
      String status,
      OffsetDateTime eventTime,
      boolean quarantined,
      String problem,
      JsonNode event,
      String hash) {

    /** The event's payload, or a missing node. */
    public JsonNode data() {
      return event == null ? MissingNode.getInstance() : event.path("data");
    }
  }

  /** audit-service: one run's story in causal order. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RunTimeline(
      String runId,
      String application,
      String commitSha,
      OffsetDateTime startedAt,
      List<AuditEvent> events) {
    public RunTimeline {
      events = events == null ? List.of() : events;
    }
  }

  /** audit-service: a verification of a chunk of the log. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Verification(
      String status,
      long fromSeq,
      long toSeq,
      long checked,
      String rootHash,
      List<Long> checkpoints,
      Long nextFrom,
      Mismatch mismatch) {
    public Verification {
      checkpoints = checkpoints == null ? List.of() : checkpoints;
    }
  }

  /** What did not verify. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Mismatch(long seq, String eventId, String reason, String detail) {}

  /** audit-service: the latest signed checkpoint. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Checkpoint(long treeSize, String rootHash, OffsetDateTime createdAt, String note) {}

  /** audit-service: DORA's four keys for one application and environment. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Dora(
      String application,
      String environment,
      OffsetDateTime from,
      OffsetDateTime to,
      Frequency deploymentFrequency,
      Durations leadTimeForChanges,
      FailureRate changeFailureRate,
      Restores timeToRestore) {}

  /** Successful deployments in the window. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Frequency(long deployments, double perDay) {}

  /** Lead time for changes. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Durations(long changes, Double medianSeconds, Double p90Seconds) {}

  /** Change failure rate. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FailureRate(long deployments, long failed, Double rate) {}

  /** Time to restore. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Restores(long restored, long open, Double medianSeconds, Double p90Seconds) {}
}

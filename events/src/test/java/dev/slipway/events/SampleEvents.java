package dev.slipway.events;

import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.Verdict;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One realistic event of every type, all of one run, for tests in every module. */
public final class SampleEvents {

  public static final String APPLICATION = "shop";
  public static final String COMMIT = "3f2a1c9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";
  public static final String DIGEST =
      "sha256:9b2a7c1e4f3d5b6a8c0e2f4a6b8d0c2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c";

  private SampleEvents() {}

  public static PipelineSnapshot pipeline() {
    return new PipelineSnapshot(
        List.of(
            new EnvironmentSpec(
                "dev", "local", "shop-dev", Promotion.AUTO, 0, Strategy.ROLLING, List.of()),
            new EnvironmentSpec(
                "prod",
                "local",
                "shop-prod",
                Promotion.MANUAL,
                2,
                Strategy.CANARY,
                List.of(10, 50, 100),
                new DeploymentSettings(
                    3,
                    8080,
                    new DeploymentSettings.Resources("100m", "128Mi", "500m", "256Mi"),
                    "/healthz",
                    Map.of("LOG_LEVEL", "info"),
                    600,
                    "shop",
                    new DeploymentSettings.Analysis(
                        "sum(rate(http_requests_total{code=~\"5..\"}[1m]))",
                        0.05,
                        DeploymentSettings.Analysis.Comparison.BELOW,
                        1,
                        3,
                        10,
                        0)))),
        new ScanPolicy(Severity.HIGH, true, List.of("AGPL-3.0-only")),
        new SourceSpec("file:///srv/git/acme/shop.git", "acme-read-token"));
  }

  public static CommitReceived commitReceived() {
    return new CommitReceived(
        "github",
        "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "https://github.com/acme/shop",
        "refs/heads/main",
        COMMIT,
        new Person("Ada Lovelace", "ada@example.com", "ada"),
        "Fix checkout rounding; echo $(rm -rf /) `ls` — ünïcödé ✓",
        "ada",
        pipeline(),
        false,
        List.of(
            new Person("ada", "ada@example.com", "ada", "1001"),
            new Person("Ada Lovelace", "ada@example.com", "ada"),
            new Person("Grace Hopper", "grace@example.com", "grace")));
  }

  public static RunContext runContext() {
    return RunContext.of(commitReceived());
  }

  public static BuildDone buildDone() {
    return new BuildDone(
        BuildStatus.SUCCEEDED,
        new ImageRef("localhost:5000/acme/shop:3f2a1c9", DIGEST),
        "builds/run-1/sbom.cdx.json",
        new TestCounts(120, 0, 3),
        84_000,
        "builds/run-1/log",
        "run-1",
        null,
        Map.of("clone", 300L, "test", 60_000L, "image", 2_000L, "push", 400L),
        List.of(
            new VulnerabilityIgnore(
                "CVE-2024-0001", "not reachable: no XML input", LocalDate.of(2027, 1, 31))),
        runContext());
  }

  /** A build whose test step failed with exit code 1. */
  public static BuildDone failedBuild() {
    return new BuildDone(
        BuildStatus.FAILED,
        null,
        null,
        new TestCounts(3, 2, 0),
        1_000,
        "builds/run-2/log",
        "run-2",
        new BuildDone.Failure(
            "test", 1, "exit code 1", List.of("Tests run: 5, Failures: 2", "BUILD FAILURE")),
        Map.of("clone", 200L, "test", 800L),
        List.of(),
        runContext());
  }

  public static ScanDone scanDone() {
    return new ScanDone(
        Verdict.PASSED,
        Map.of(Severity.HIGH, 0, Severity.MEDIUM, 1),
        List.of(
            new Finding(
                "GHSA-abcd-1234-wxyz",
                "pkg:maven/org.example/lib@1.2.0",
                "1.2.0",
                Severity.MEDIUM,
                "1.2.1",
                false)),
        new ScanPolicy(Severity.HIGH, true),
        "osv-2026-11-25",
        DIGEST,
        "scan-1",
        "localhost:5000/acme/shop",
        List.of(),
        List.of(),
        null,
        "no finding at or above HIGH");
  }

  public static DeployRequested deployRequested() {
    return new DeployRequested(
        "dev",
        "localhost:5000/acme/shop",
        DIGEST,
        DeployRequested.Reason.SCAN_PASSED,
        "scan-service",
        runContext(),
        List.of(),
        null);
  }

  public static ApprovalDecided approvalDecided() {
    return new ApprovalDecided(
        "approval-1",
        "prod",
        "localhost:5000/acme/shop",
        DIGEST,
        ApprovalDecided.Decision.APPROVED,
        "corp/grace",
        null,
        List.of("corp/grace", "corp/linus"),
        2,
        null);
  }

  public static AccessDenied accessDenied() {
    return new AccessDenied(
        "build-service",
        403,
        "POST",
        "/api/builds/b-1/cancel",
        "corp/mallory",
        "deployer of team bank cannot act on shop",
        3,
        OffsetDateTime.parse("2026-11-25T10:00:00Z"));
  }

  public static AccessPolicy accessPolicy() {
    return new AccessPolicy(
        7,
        Map.of(
            APPLICATION,
            new AccessPolicy.Application(
                "shop",
                "https://github.com/acme/shop",
                List.of(
                    new AccessPolicy.Gate("dev", Promotion.AUTO, 0, null),
                    new AccessPolicy.Gate("prod", Promotion.MANUAL, 2, "PT8H")),
                new ScanPolicy(Severity.HIGH, true))),
        List.of(
            new AccessPolicy.RoleBinding(
                "b-1", 1, "shop-prod-approvers", "approver", "shop", null, "prod")),
        List.of(
            new AccessPolicy.IdentityLink(
                "corp/grace",
                List.of(new AccessPolicy.Account("github", "1002", "grace")),
                List.of("grace@example.com"))),
        new AccessPolicy.Change(
            "corp/root",
            "binding.created",
            "b-1",
            "shop-prod-approvers: approver of prod of team shop",
            OffsetDateTime.parse("2026-11-25T09:00:00Z")));
  }

  public static DeployDone deployDone() {
    return new DeployDone(
        "dev",
        "local",
        "shop-dev",
        DeployDone.Status.SUCCEEDED,
        4,
        "rollout complete",
        "localhost:5000/acme/shop",
        DIGEST,
        DIGEST,
        Strategy.ROLLING,
        DeployRequested.Reason.SCAN_PASSED,
        2_300L);
  }

  public static VulnerabilityFound vulnerabilityFound() {
    return new VulnerabilityFound(
        "prod",
        "local",
        "shop-prod",
        "localhost:5000/acme/shop",
        DIGEST,
        new Finding(
            "GHSA-jfh8-c2jp-5v3q",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "2.14.1",
            Severity.CRITICAL,
            "2.15.0",
            false,
            List.of("CVE-2021-44228"),
            true,
            null),
        Severity.CRITICAL,
        Severity.HIGH,
        "2026-11-25T10:00:00Z@sha256:5e1f");
  }

  public static AdminAction adminAction() {
    return new AdminAction(
        "trigger-service",
        AdminAction.Action.OUTBOX_RETRY,
        "grace",
        "6f1c2b7e-2d4a-3b8e-9c1d-0a1b2c3d4e5f",
        Topics.COMMIT_RECEIVED,
        "parked: org.apache.kafka.common.errors.RecordTooLargeException");
  }

  /** The payload of {@code type}'s sample. */
  public static <T> T payloadOf(EventType<T> type) {
    Object payload =
        switch (type.topic()) {
          case Topics.COMMIT_RECEIVED -> commitReceived();
          case Topics.BUILD_DONE -> buildDone();
          case Topics.SCAN_DONE -> scanDone();
          case Topics.DEPLOY_REQUESTED -> deployRequested();
          case Topics.DEPLOY_DONE -> deployDone();
          case Topics.APPROVAL_DECIDED -> approvalDecided();
          case Topics.ACCESS_DENIED -> accessDenied();
          case Topics.ACCESS_POLICY -> accessPolicy();
          case Topics.VULNERABILITY_FOUND -> vulnerabilityFound();
          case Topics.ADMIN_ACTION -> adminAction();
          default -> throw new IllegalArgumentException(type.topic());
        };
    return type.payloadType().cast(payload);
  }

  /**
   * A sample payload of {@code type} in an event of its own run for {@code application}, so tests
   * that share a broker and database do not see each other's events.
   */
  public static <T> Envelope<T> forApplication(EventType<T> type, String application, T payload) {
    return new Envelope<>(
        UUID.randomUUID().toString(),
        "/slipway/test",
        type.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        application,
        UUID.randomUUID().toString(),
        null,
        COMMIT,
        payload);
  }

  /** A fresh application name. */
  public static String newApplication() {
    return "app-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A sample event of {@code type}, caused by {@code cause} when not null. */
  public static <T> Envelope<T> event(EventType<T> type, Envelope<?> cause) {
    T payload = payloadOf(type);
    return cause == null
        ? Envelope.startRun(type, "/slipway/test", APPLICATION, COMMIT, payload)
        : Envelope.causedBy(cause, type, "/slipway/test", payload);
  }
}

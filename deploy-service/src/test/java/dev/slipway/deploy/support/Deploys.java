package dev.slipway.deploy.support;

import dev.slipway.events.DeployRequested;
import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.RunContext;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Requests and pipelines as scan-service and trigger-service would send them, per test. */
public final class Deploys {

  /** The commit's author; may not approve. */
  public static final Person AUTHOR = new Person("Ada Lovelace", "ada@example.com", "ada");

  /** Who pushed; may not approve either. */
  public static final String ACTOR = "pat";

  private Deploys() {}

  /** A fresh application name (a valid Kubernetes name). */
  public static String application() {
    return "app-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A fresh content digest, unique to {@code seed} and this call. */
  public static String digest(String seed) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((seed + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The repository of {@code application}'s image. */
  public static String image(String application) {
    return "registry.example/acme/" + application;
  }

  /** {@code image(application)@digest}. */
  public static String pinned(String application, String digest) {
    return image(application) + "@" + digest;
  }

  /** Deployment settings with {@code replicas} pods and a rollout timeout. */
  public static DeploymentSettings settings(
      int replicas, int timeoutSeconds, String httpRoute, DeploymentSettings.Analysis analysis) {
    return new DeploymentSettings(
        replicas,
        8080,
        new DeploymentSettings.Resources("100m", "128Mi", "500m", "256Mi"),
        "/healthz",
        Map.of("LOG_LEVEL", "info", "FEATURE_X", "on"),
        timeoutSeconds,
        httpRoute,
        analysis);
  }

  /** A rolling environment. */
  public static EnvironmentSpec rolling(
      String name,
      String cluster,
      Promotion promotion,
      int approvals,
      DeploymentSettings settings) {
    return new EnvironmentSpec(
        name, cluster, name + "-ns", promotion, approvals, Strategy.ROLLING, List.of(), settings);
  }

  /** A canary environment stepping through {@code steps}. */
  public static EnvironmentSpec canary(
      String name, String cluster, List<Integer> steps, DeploymentSettings settings) {
    return new EnvironmentSpec(
        name, cluster, name + "-ns", Promotion.AUTO, 0, Strategy.CANARY, steps, settings);
  }

  /** A run of {@code environments}, written by {@link #AUTHOR} and pushed by {@link #ACTOR}. */
  public static RunContext run(EnvironmentSpec... environments) {
    return new RunContext(
        "https://git.example/acme/shop",
        "refs/heads/main",
        AUTHOR,
        ACTOR,
        new PipelineSnapshot(List.of(environments), new ScanPolicy(Severity.HIGH, true)));
  }

  /** The deploy.requested of a build whose manifests were rendered as {@code manifests}. */
  public static Envelope<DeployRequested> scanPassed(
      String application,
      String environment,
      String digest,
      RunContext run,
      dev.slipway.events.RenderedManifests manifests) {
    Envelope<DeployRequested> plain = scanPassed(application, environment, digest, run);
    DeployRequested r = plain.data();
    return new Envelope<>(
        plain.id(),
        plain.source(),
        plain.type(),
        plain.time(),
        plain.subject(),
        plain.runId(),
        plain.causationId(),
        plain.commitSha(),
        new DeployRequested(
            r.environment(),
            r.image(),
            r.imageDigest(),
            r.reason(),
            r.requestedBy(),
            r.run(),
            r.approvers(),
            r.revision(),
            r.approvalId(),
            manifests));
  }

  /** Settings of an environment that may adopt objects it did not create. */
  public static DeploymentSettings adopting(int replicas, int timeoutSeconds) {
    return new DeploymentSettings(
        replicas,
        8080,
        null,
        "/healthz",
        Map.of(),
        timeoutSeconds,
        null,
        null,
        true,
        null,
        null,
        null,
        null,
        null);
  }

  /** The deploy.requested scan-service sends after a passed scan, in a run of its own. */
  public static Envelope<DeployRequested> scanPassed(
      String application, String environment, String digest, RunContext run) {
    return new Envelope<>(
        UUID.randomUUID().toString(),
        "/slipway/scan-service",
        EventType.DEPLOY_REQUESTED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        application,
        UUID.randomUUID().toString(),
        UUID.randomUUID().toString(),
        HexFormat.of().formatHex(digest.getBytes(StandardCharsets.UTF_8)).substring(0, 40),
        new DeployRequested(
            environment,
            image(application),
            digest,
            DeployRequested.Reason.SCAN_PASSED,
            "scan-service",
            run,
            List.of(),
            null));
  }
}

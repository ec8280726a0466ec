package dev.slipway.build.service;

import dev.slipway.build.BuildOutcome;
import dev.slipway.build.BuildStatus;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.executor.Cancellation;
import dev.slipway.build.executor.StepExecutor;
import dev.slipway.build.executor.StepListener;
import dev.slipway.build.executor.StepsRequest;
import dev.slipway.build.executor.StepsResult;
import dev.slipway.build.image.ImageException;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.manifest.ManifestRenderer;
import dev.slipway.build.provenance.BuildFacts;
import dev.slipway.build.provenance.ProvenanceAttestor;
import dev.slipway.build.repository.BuildRepository;
import dev.slipway.build.repository.Claim;
import dev.slipway.build.sbom.SbomGenerator;
import dev.slipway.build.source.CloneUrlPolicy;
import dev.slipway.build.source.SourceException;
import dev.slipway.build.source.SourceFetcher;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.spec.BuildSpecException;
import dev.slipway.build.spec.BuildSpecParser;
import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.RenderedManifests;
import dev.slipway.events.SourceSpec;
import dev.slipway.events.VulnerabilityIgnore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one claim of a build from an empty workspace to its outcome: clone at the commit, read
 * {@code .slipway.yaml}, restore the cache, run the steps on the configured executor, save the
 * cache, build and push the image and its SBOM, render and push the application's own manifests.
 * Every way out (a refused URL, an invalid file, a failing step, a timeout, a cancel) becomes an
 * outcome that names the stage or step and why, with the log's tail; nothing escapes as an
 * exception but a bug.
 */
@ApplicationScoped
public class BuildRunner {

  private final BuildConfig config;
  private final PlatformSecrets secrets;
  private final StepExecutor executor;
  private final BuildRepository builds;
  private final ImageStage imageStage;
  private final ManifestStage manifestStage;
  private final ProvenanceAttestor provenance;
  private final CloneUrlPolicy urls;
  private final SourceFetcher fetcher;
  private final BuildSpecParser parser = new BuildSpecParser();
  private final BuildCache cache;
  private final TestReports reports = new TestReports();

  public BuildRunner(
      BuildConfig config,
      PlatformSecrets secrets,
      StepExecutor executor,
      BuildRepository builds,
      ImageStage imageStage,
      ManifestStage manifestStage,
      ProvenanceAttestor provenance) {
    this.config = config;
    this.secrets = secrets;
    this.executor = executor;
    this.builds = builds;
    this.imageStage = imageStage;
    this.manifestStage = manifestStage;
    this.provenance = provenance;
    this.urls =
        new CloneUrlPolicy(
            config.source().allowedFileRoots().orElse(List.of()),
            config.source().sshKnownHosts().isPresent());
    this.fetcher = new SourceFetcher(config.source().sshKnownHosts());
    this.cache = new BuildCache(config.cacheDir());
  }

  /** Runs the build; returns how it ended. */
  public BuildOutcome run(Claim claim, BuildLog log, Cancellation cancellation) {
    Instant start = Instant.now();
    Run run = new Run(claim, log, cancellation, start);
    Path dir = config.workspaceDir().resolve(claim.buildId()).toAbsolutePath();
    try {
      BuildCache.delete(dir);
      Files.createDirectories(dir.resolve("src"));
      Files.createDirectories(dir.resolve("home"));
      Files.createDirectories(dir.resolve("tmp"));
      return run.execute(dir);
    } catch (IOException e) {
      return run.failed(BuildStatus.FAILED, "workspace", null, "cannot prepare: " + e.getMessage());
    } finally {
      if (!config.keepWorkspaces()) {
        try {
          BuildCache.delete(dir);
        } catch (UncheckedIOException e) {
          log.info("==> could not delete the workspace: " + e.getMessage());
        }
      }
    }
  }

  /** The state of one run: its stage timings, ignores and test counts so far. */
  private final class Run {
    private final Claim claim;
    private final BuildLog log;
    private final Cancellation cancellation;
    private final Instant start;
    private final CommitReceived commit;
    private final Map<String, Long> stages = new LinkedHashMap<>();
    private List<VulnerabilityIgnore> ignores = List.of();
    private TestCounts tests = TestCounts.NONE;
    private String configSha256;

    Run(Claim claim, BuildLog log, Cancellation cancellation, Instant start) {
      this.claim = claim;
      this.log = log;
      this.cancellation = cancellation;
      this.start = start;
      this.commit = claim.commit().data();
    }

    BuildOutcome execute(Path dir) {
      Path src = dir.resolve("src");
      String application = claim.commit().subject();
      log.info(
          "==> build "
              + claim.buildId()
              + " (attempt "
              + claim.attempt()
              + ") of "
              + application
              + " at "
              + commit.commitSha());

      // clone
      long t = System.nanoTime();
      SourceSpec source = commit.pipeline().source();
      String url = source.cloneUrl() != null ? source.cloneUrl() : commit.repoUrl();
      try {
        String checked = urls.check(url);
        Optional<SourceFetcher.Credentials> credentials =
            Optional.ofNullable(source.credentialsRef()).map(secrets::credentials);
        credentials.ifPresent(c -> log.addSecrets(List.of(c.token())));
        log.info("==> clone " + checked + " at " + commit.commitSha());
        SourceFetcher.Fetched fetched =
            fetcher.fetch(
                checked, commit.commitSha(), credentials, src, config.source().cloneTimeout());
        stages.put("clone", ms(t));
        log.info(
            "==> cloned " + (fetched.shallow() ? "(shallow)" : "(full)") + " in " + ms(t) + " ms");
      } catch (SourceException | PlatformSecrets.SecretException e) {
        stages.put("clone", ms(t));
        return failed(BuildStatus.FAILED, "clone", null, e.getMessage());
      }
      if (cancellation.isCancelled()) {
        return cancelled("clone");
      }

      // config
      BuildSpec spec;
      Map<String, String> secretEnv = new LinkedHashMap<>();
      try {
        Path file = src.resolve(BuildSpecParser.FILE_NAME);
        if (!Files.isRegularFile(file)) {
          return failed(
              BuildStatus.FAILED,
              "config",
              null,
              BuildSpecParser.FILE_NAME + " not found at the repository root of this commit");
        }
        byte[] raw = Files.readAllBytes(file);
        // Digested as read, before any step could rewrite the file in the workspace.
        configSha256 = sha256Hex(raw);
        spec = parser.parse(raw);
        ignores = spec.ignores();
        spec.secrets()
            .forEach((name, ref) -> secretEnv.put(name, secrets.secret(ref, application)));
        log.addSecrets(secretEnv.values());
      } catch (BuildSpecException | PlatformSecrets.SecretException e) {
        return failed(BuildStatus.FAILED, "config", null, e.getMessage());
      } catch (IOException e) {
        return failed(BuildStatus.FAILED, "config", null, "cannot read: " + e.getMessage());
      }

      // cache restore
      String cacheKey = null;
      if (spec.cache() != null) {
        t = System.nanoTime();
        cacheKey = cache.key(src, spec.cache());
        boolean hit = cache.restore(application, cacheKey, src, spec.cache());
        log.info(
            "==> cache "
                + (hit ? "restored" : "miss")
                + " ("
                + spec.cache().paths()
                + ", key "
                + cacheKey.substring(0, 12)
                + ")");
        stages.put("cache-restore", ms(t));
      }

      // steps
      Duration timeout = spec.timeout() != null ? spec.timeout() : config.buildTimeout();
      Map<String, String> env = new LinkedHashMap<>(platformEnv(dir, application));
      env.putAll(spec.env());
      StepsRequest request =
          new StepsRequest(
              claim.buildId(),
              application,
              src,
              spec.toolchain(),
              spec.steps(),
              env,
              secretEnv,
              start.plus(timeout));
      StepsResult result = executor.run(request, log, listener(), cancellation);
      tests = reports.count(src, spec.reports());
      if (tests.passed() + tests.failed() + tests.skipped() > 0) {
        log.info(
            "==> tests: "
                + tests.passed()
                + " passed, "
                + tests.failed()
                + " failed, "
                + tests.skipped()
                + " skipped");
      }
      switch (result.outcome()) {
        case FAILED -> {
          return failed(BuildStatus.FAILED, result.step(), result.exitCode(), result.reason());
        }
        case TIMED_OUT -> {
          return failed(BuildStatus.TIMED_OUT, result.step(), null, result.reason());
        }
        case CANCELLED -> {
          return failed(BuildStatus.CANCELLED, result.step(), null, result.reason());
        }
        default -> {}
      }

      // cache save
      if (spec.cache() != null) {
        t = System.nanoTime();
        boolean saved = cache.save(application, cacheKey, src, spec.cache());
        log.info("==> cache " + (saved ? "saved" : "already saved for this key"));
        stages.put("cache-save", ms(t));
      }
      if (cancellation.isCancelled()) {
        return cancelled("image");
      }

      // image, push, sbom
      try {
        ImageStage.Result image =
            imageStage.run(
                application,
                commit.commitSha(),
                claim.buildId(),
                src,
                spec,
                log,
                cancellation,
                stages);
        if (cancellation.isCancelled()) {
          return cancelled("image");
        }
        RenderedManifests manifests = null;
        if (spec.deploy() != null) {
          long m = System.nanoTime();
          try {
            manifests =
                manifestStage.run(
                    application,
                    src,
                    spec.deploy(),
                    commit.pipeline().environments(),
                    image.image(),
                    log);
          } catch (ManifestRenderer.ManifestException e) {
            stages.put("manifests", ms(m));
            return failed(BuildStatus.FAILED, "manifests", null, e.getMessage());
          }
          stages.put("manifests", ms(m));
        }

        // provenance: signed SLSA provenance and SBOM, attached to the image
        t = System.nanoTime();
        ProvenanceAttestor.Attested attested =
            provenance.attest(
                facts(url, spec),
                image.image(),
                image.base(),
                image.sbom().json(),
                image.sbomRef());
        stages.put("provenance", ms(t));
        log.info(
            "==> provenance signed by "
                + attested.keyId()
                + ", attached as "
                + (attested.referrersApi() ? "OCI referrers" : "OCI referrers (tag fallback)")
                + " and for cosign: "
                + attested.provenance()
                + " (SLSA), "
                + attested.sbom()
                + " (SBOM)");
        long duration = Duration.between(start, Instant.now()).toMillis();
        log.info("==> SUCCEEDED in " + duration + " ms");
        return new BuildOutcome(
            BuildStatus.SUCCEEDED,
            new ImageRef(image.image().reference(), image.image().digest()),
            image.sbomRef(),
            image.sbom().json(),
            image.sbom().components(),
            tests,
            null,
            stages,
            ignores,
            duration,
            manifests);
      } catch (ImageException e) {
        if (cancellation.isCancelled()) {
          return cancelled(e.stage());
        }
        return failed(BuildStatus.FAILED, e.stage(), e.exitCode(), e.getMessage());
      } catch (SbomGenerator.SbomException e) {
        return failed(BuildStatus.FAILED, "sbom", null, e.getMessage());
      } catch (ProvenanceAttestor.ProvenanceException e) {
        stages.put("provenance", ms(t));
        return failed(BuildStatus.FAILED, "provenance", null, e.getMessage());
      }
    }

    private BuildFacts facts(String cloneUrl, BuildSpec spec) {
      return new BuildFacts(
          claim.commit().subject(),
          claim.buildId(),
          claim.commit().runId(),
          claim.attempt(),
          commit.repoUrl(),
          cloneUrl,
          commit.ref(),
          commit.commitSha(),
          configSha256,
          spec,
          config.executor().name().toLowerCase(),
          List.of(),
          start);
    }

    private Map<String, String> platformEnv(Path dir, String application) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("HOME", dir.resolve("home").toString());
      env.put("TMPDIR", dir.resolve("tmp").toString());
      env.put("LANG", "C.UTF-8");
      env.put("CI", "true");
      env.put("SLIPWAY", "true");
      env.put("SLIPWAY_BUILD_ID", claim.buildId());
      env.put("SLIPWAY_RUN_ID", claim.commit().runId());
      env.put("SLIPWAY_APPLICATION", application);
      env.put("SLIPWAY_COMMIT_SHA", commit.commitSha());
      // Webhook text reaches steps only as variables: a shell never evaluates their content.
      env.put("SLIPWAY_REF", commit.ref());
      return env;
    }

    private StepListener listener() {
      return new StepListener() {
        @Override
        public void started(int position, String name) {
          builds
              .stepStarted(claim.buildId(), position, name)
              .await()
              .atMost(Duration.ofSeconds(30));
        }

        @Override
        public void finished(
            int position, String name, StepStatus status, Integer exitCode, long durationMs) {
          stages.put(name, durationMs);
          builds
              .stepFinished(claim.buildId(), position, status.name(), exitCode, durationMs)
              .await()
              .atMost(Duration.ofSeconds(30));
        }
      };
    }

    BuildOutcome cancelled(String stage) {
      return failed(
          BuildStatus.CANCELLED, stage, null, "cancelled by " + cancellation.requestedBy());
    }

    BuildOutcome failed(BuildStatus status, String step, Integer exitCode, String reason) {
      String masked = log.mask(reason);
      log.info("==> " + status + " in " + step + ": " + masked);
      log.flush();
      long duration = Duration.between(start, Instant.now()).toMillis();
      return BuildOutcome.failed(
          status,
          new Failure(step, exitCode, masked, new ArrayList<>(log.tail())),
          tests,
          stages,
          ignores,
          duration);
    }
  }

  private static String sha256Hex(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}

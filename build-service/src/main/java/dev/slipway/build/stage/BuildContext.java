package dev.slipway.build.stage;

import dev.slipway.build.BuildOutcome;
import dev.slipway.build.BuildStatus;
import dev.slipway.build.cache.BuildCache;
import dev.slipway.build.executor.Cancellation;
import dev.slipway.build.image.PushedImage;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.provenance.BuildFacts;
import dev.slipway.build.repository.Claim;
import dev.slipway.build.sbom.SbomGenerator;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.workspace.BuildWorkspace;
import dev.slipway.build.workspace.RepositoryPaths;
import dev.slipway.events.BuildDone.Failure;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.RenderedManifests;
import dev.slipway.events.VulnerabilityIgnore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One claim of a build while its stages run: what it was asked (the claim and its commit), where it
 * works, and what each stage produced for the next (the parsed {@code .slipway.yaml}, secret
 * variables, cache key, test counts, the pushed image and its SBOM), plus the wall time of every
 * stage and step. Stages added later (provenance, say) read what they need from here.
 */
public final class BuildContext {

  private final Claim claim;
  private final BuildLog log;
  private final Cancellation cancellation;
  private final BuildWorkspace workspace;
  private final Instant start;
  private final BuildPhases phases;
  private final Map<String, Long> stages = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Map<String, String> secretEnv = new LinkedHashMap<>();
  private Instant deadline;
  private Instant stageDeadline;
  private String toolchain;
  private BuildSpec spec;
  private RepositoryPaths paths;
  private String configDigest;
  private String cacheKey;
  private BuildCache.Scope cacheScope;
  private BuildCache.Restored cacheRestored;
  private List<VulnerabilityIgnore> ignores = List.of();
  private TestCounts tests = TestCounts.NONE;
  private PushedImage image;
  private BuildFacts.ResolvedImage base;
  private SbomGenerator.Sbom sbom;
  private String sbomRef;
  private RenderedManifests manifests;

  public BuildContext(
      Claim claim,
      BuildLog log,
      Cancellation cancellation,
      BuildWorkspace workspace,
      Instant start,
      Instant deadline,
      BuildPhases phases) {
    this.claim = claim;
    this.log = log;
    this.cancellation = cancellation;
    this.workspace = workspace;
    this.start = start;
    this.deadline = deadline;
    this.phases = phases;
  }

  public Claim claim() {
    return claim;
  }

  public String buildId() {
    return claim.buildId();
  }

  /** The application built: the subject of the commit.received. */
  public String application() {
    return claim.commit().subject();
  }

  public CommitReceived commit() {
    return claim.commit().data();
  }

  public BuildLog log() {
    return log;
  }

  public Cancellation cancellation() {
    return cancellation;
  }

  public BuildWorkspace workspace() {
    return workspace;
  }

  public Instant start() {
    return start;
  }

  /** Where this claim's wall time goes, phase by phase (every stage, timed or not). */
  public BuildPhases phases() {
    return phases;
  }

  /** When the whole build times out. */
  public Instant deadline() {
    return deadline;
  }

  /** When the running stage must be over: the build's deadline or the stage's own limit. */
  public Instant stageDeadline() {
    return stageDeadline == null ? deadline : stageDeadline;
  }

  void stageDeadline(Instant stageDeadline) {
    this.stageDeadline = stageDeadline;
  }

  /** The base image a {@code files} build was pinned to by digest; null otherwise. */
  public BuildFacts.ResolvedImage base() {
    return base;
  }

  public void base(BuildFacts.ResolvedImage base) {
    this.base = base;
  }

  /** The toolchain image the steps ran in, pinned by digest or id; null before the steps. */
  public String toolchain() {
    return toolchain;
  }

  public void toolchain(String toolchain) {
    this.toolchain = toolchain;
  }

  /** Sets the build's deadline once {@code .slipway.yaml} said how long it may take. */
  public void deadline(Instant deadline) {
    this.deadline = deadline;
  }

  /**
   * The repository's paths as the application sees them: relative to its folder (the checkout's
   * root, or its folder in a monorepo), never leaving the checkout; null before the config stage.
   */
  public RepositoryPaths paths() {
    return paths;
  }

  /** The application's folder, relative to the checkout's root ({@code ""} for the root). */
  public String directory() {
    return paths.root().relativize(paths.base()).toString();
  }

  public void paths(RepositoryPaths paths) {
    this.paths = paths;
  }

  /** The parsed {@code .slipway.yaml}; null before the config stage. */
  public BuildSpec spec() {
    return spec;
  }

  /** Records the parsed {@code .slipway.yaml} and the sha256 of its bytes. */
  public void spec(BuildSpec spec, String configDigest) {
    this.spec = spec;
    this.configDigest = configDigest;
    this.ignores = spec.ignores();
  }

  /** {@code sha256:<hex>} of the {@code .slipway.yaml} the build followed. */
  public String configDigest() {
    return configDigest;
  }

  /** Secret variables granted to this build: name to value; their values are masked. */
  public Map<String, String> secretEnv() {
    return secretEnv;
  }

  public String cacheKey() {
    return cacheKey;
  }

  public void cacheKey(String cacheKey) {
    this.cacheKey = cacheKey;
  }

  /** Which cache entries the build's ref reads and writes; null without a cache section. */
  public BuildCache.Scope cacheScope() {
    return cacheScope;
  }

  public void cacheScope(BuildCache.Scope cacheScope) {
    this.cacheScope = cacheScope;
  }

  /** The entry the build restored, or null. */
  public BuildCache.Restored cacheRestored() {
    return cacheRestored;
  }

  public void cacheRestored(BuildCache.Restored cacheRestored) {
    this.cacheRestored = cacheRestored;
  }

  public TestCounts tests() {
    return tests;
  }

  public void tests(TestCounts tests) {
    this.tests = tests;
  }

  /** The pushed image; null before the image stage. */
  public PushedImage image() {
    return image;
  }

  public void image(PushedImage image) {
    this.image = image;
  }

  public SbomGenerator.Sbom sbom() {
    return sbom;
  }

  public String sbomRef() {
    return sbomRef;
  }

  public void sbom(SbomGenerator.Sbom sbom, String sbomRef) {
    this.sbom = sbom;
    this.sbomRef = sbomRef;
  }

  /** The application's rendered manifests as pushed; null without a deploy section. */
  public RenderedManifests manifests() {
    return manifests;
  }

  public void manifests(RenderedManifests manifests) {
    this.manifests = manifests;
  }

  /** Records the wall time of a stage or step. */
  public void took(String name, long ms) {
    stages.put(name, ms);
  }

  /** Wall time per stage and step so far. */
  public Map<String, Long> stageDurations() {
    synchronized (stages) {
      return Map.copyOf(stages);
    }
  }

  /** Milliseconds since the build started. */
  public long elapsedMs() {
    return Duration.between(start, Instant.now()).toMillis();
  }

  /** The outcome of a build whose stages all succeeded. */
  BuildOutcome succeeded() {
    long duration = elapsedMs();
    log.info("==> SUCCEEDED in " + duration + " ms");
    return new BuildOutcome(
        BuildStatus.SUCCEEDED,
        new ImageRef(image.reference(), image.digest()),
        sbomRef,
        sbom.json(),
        sbom.components(),
        tests,
        null,
        stageDurations(),
        ignores,
        duration,
        manifests);
  }

  /** The outcome of a build that ended at {@code failure}; the reason is masked and logged. */
  BuildOutcome failed(StageFailure failure) {
    String masked = log.mask(failure.reason());
    log.info("==> " + failure.status() + " in " + failure.step() + ": " + masked);
    log.flush();
    long duration = elapsedMs();
    return BuildOutcome.failed(
        failure.status(),
        new Failure(failure.step(), failure.exitCode(), masked, new ArrayList<>(log.tail())),
        tests,
        stageDurations(),
        ignores,
        duration);
  }
}

package dev.slipway.build.provenance;

import dev.slipway.build.spec.BuildSpec;
import java.time.Instant;
import java.util.List;

/**
 * What a build knows about itself when its image is pushed, as the provenance records it.
 *
 * @param application the application (the image repository in the registry)
 * @param buildId the build
 * @param runId the pipeline run
 * @param attempt the attempt of the run
 * @param repository the application's repository URL, as registered
 * @param cloneUrl the URL the commit was cloned from (a mirror or the repository itself)
 * @param ref the full Git ref pushed
 * @param commit the commit built
 * @param configSha256 hex SHA-256 of {@code .slipway.yaml} as read at the commit, before any step
 *     ran
 * @param spec the build file
 * @param executor {@code local} or {@code kubernetes}
 * @param toolchainImages the images the steps ran in, by digest (empty while steps run on the host)
 * @param startedOn when the build started
 */
public record BuildFacts(
    String application,
    String buildId,
    String runId,
    int attempt,
    String repository,
    String cloneUrl,
    String ref,
    String commit,
    String configSha256,
    BuildSpec spec,
    String executor,
    List<ResolvedImage> toolchainImages,
    Instant startedOn) {

  public BuildFacts {
    toolchainImages = List.copyOf(toolchainImages);
  }

  /**
   * An image a build used, pinned.
   *
   * @param name as referenced, e.g. {@code 127.0.0.1:5000/base/java:17}
   * @param digest {@code sha256:<hex>} of the manifest (or index) that name resolved to
   */
  public record ResolvedImage(String name, String digest) {}
}

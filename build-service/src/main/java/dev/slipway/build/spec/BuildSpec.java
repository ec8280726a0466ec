package dev.slipway.build.spec;

import dev.slipway.build.workspace.RepositoryPaths;
import dev.slipway.events.VulnerabilityIgnore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A repository's {@code .slipway.yaml} at one commit, validated: how to build, test and package it.
 *
 * @param toolchain the image steps run in on container executors, may be null
 * @param timeout the whole-build timeout, null for the service's default
 * @param env environment variables of every step
 * @param secrets secret environment variables: variable name to platform secret name
 * @param cache cached paths, may be null
 * @param steps the steps, in order
 * @param image the image to produce
 * @param sbom path of an SBOM the steps write, null to generate one from the lockfiles
 * @param reports glob patterns of JUnit XML reports
 * @param ignores the repository's vulnerability ignores
 * @param lines the line of each field in the file, by path (e.g. {@code image.files[0]})
 * @param deploy the application's own manifests, may be null
 */
public record BuildSpec(
    String toolchain,
    Duration timeout,
    Map<String, String> env,
    Map<String, String> secrets,
    Cache cache,
    List<Step> steps,
    Image image,
    String sbom,
    List<String> reports,
    List<VulnerabilityIgnore> ignores,
    Map<String, Integer> lines,
    Deploy deploy) {

  /** JUnit XML reports looked for when {@code reports} is not set. */
  public static final List<String> DEFAULT_REPORTS = List.of("**/TEST-*.xml");

  public BuildSpec {
    env = Map.copyOf(env);
    secrets = Map.copyOf(secrets);
    steps = List.copyOf(steps);
    reports = reports.isEmpty() ? DEFAULT_REPORTS : List.copyOf(reports);
    ignores = List.copyOf(ignores);
    lines = lines == null ? Map.of() : Map.copyOf(lines);
  }

  /** Field {@code path} (e.g. {@code cache.paths[1]}) with its line, for refusing what it names. */
  public RepositoryPaths.Field field(String path) {
    return new RepositoryPaths.Field(path, lines.getOrDefault(path, 0));
  }

  /**
   * The application's own manifests.
   *
   * @param manifests a directory of YAML files, or a Helm chart, relative to the workspace
   * @param environments per environment: an overlay directory, or a chart's values file
   */
  public record Deploy(String manifests, Map<String, String> environments) {
    public Deploy {
      environments = Map.copyOf(environments);
    }
  }

  public Optional<Cache> cacheSpec() {
    return Optional.ofNullable(cache);
  }

  /**
   * One step.
   *
   * @param name unique within the build
   * @param run the shell command
   * @param workdir working directory relative to the workspace, "." by default
   * @param env the step's own environment variables
   * @param timeout the step's timeout, null: only the build's
   */
  public record Step(
      String name, String run, String workdir, Map<String, String> env, Duration timeout) {
    public Step {
      workdir = workdir == null ? "." : workdir;
      env = Map.copyOf(env);
    }
  }

  /**
   * Paths cached between builds of the application.
   *
   * @param key files whose content keys the cache (lockfiles)
   * @param paths directories restored before the steps and saved after a success
   */
  public record Cache(List<String> key, List<String> paths) {
    public Cache {
      key = List.copyOf(key);
      paths = List.copyOf(paths);
    }
  }

  /** Which builder makes the image. */
  public enum Builder {
    DOCKERFILE,
    FILES
  }

  /**
   * The image to produce.
   *
   * @param builder dockerfile (Buildah) or files (Jib)
   * @param dockerfile the Dockerfile, relative to the workspace
   * @param context the Buildah build context, relative to the workspace
   * @param base files builder: base image repository in the configured registry, null for scratch
   * @param files files builder: files and directories copied into {@code workdir}
   * @param workdir files builder: the image's working directory
   * @param entrypoint files builder: the entrypoint
   * @param port files builder: the exposed port, may be null
   */
  public record Image(
      Builder builder,
      String dockerfile,
      String context,
      String base,
      List<String> files,
      String workdir,
      List<String> entrypoint,
      Integer port) {
    public Image {
      dockerfile = dockerfile == null ? "Dockerfile" : dockerfile;
      context = context == null ? "." : context;
      files = files == null ? List.of() : List.copyOf(files);
      workdir = workdir == null ? "/app" : workdir;
      entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    }
  }
}

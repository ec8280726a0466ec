package dev.slipway.build.executor;

import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.workspace.BuildWorkspace;
import dev.slipway.build.workspace.RepositoryPaths;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an executor runs: the steps of one build in its workspace.
 *
 * @param buildId the build
 * @param application the application built
 * @param workspace the build's folders: its {@code src} is the steps' working tree
 * @param directory the application's folder in the checkout ({@code ""}: its root), where steps
 *     start and their {@code workdir} is relative to
 * @param toolchain image of the steps on container executors
 * @param steps the steps in order
 * @param env environment of every step (platform variables and {@code .slipway.yaml}'s env)
 * @param secretEnv secret variables: name to value; values are masked in the log
 * @param deadline when the whole build times out
 * @param lines the line in {@code .slipway.yaml} of each field, to name it when refusing a path
 */
public record StepsRequest(
    String buildId,
    String application,
    BuildWorkspace workspace,
    String directory,
    String toolchain,
    List<BuildSpec.Step> steps,
    Map<String, String> env,
    Map<String, String> secretEnv,
    Instant deadline,
    Map<String, Integer> lines) {

  public StepsRequest {
    directory = directory == null || ".".equals(directory) ? "" : directory;
    steps = List.copyOf(steps);
    env = Map.copyOf(env);
    secretEnv = Map.copyOf(secretEnv);
    lines = lines == null ? Map.of() : Map.copyOf(lines);
  }

  /** Field {@code path} of {@code .slipway.yaml} with its line. */
  public RepositoryPaths.Field field(String path) {
    return new RepositoryPaths.Field(path, lines.getOrDefault(path, 0));
  }
}

package dev.slipway.build.executor;

import dev.slipway.build.spec.BuildSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an executor runs: the steps of one build in its workspace.
 *
 * @param buildId the build
 * @param application the application built
 * @param workspace the checked-out commit, shared with the executor
 * @param toolchain image of the steps on container executors
 * @param steps the steps in order
 * @param env environment of every step (platform variables and {@code .slipway.yaml}'s env)
 * @param secretEnv secret variables: name to value; values are masked in the log
 * @param deadline when the whole build times out
 */
public record StepsRequest(
    String buildId,
    String application,
    Path workspace,
    String toolchain,
    List<BuildSpec.Step> steps,
    Map<String, String> env,
    Map<String, String> secretEnv,
    Instant deadline) {

  public StepsRequest {
    steps = List.copyOf(steps);
    env = Map.copyOf(env);
    secretEnv = Map.copyOf(secretEnv);
  }
}

package dev.slipway.events;

import java.util.List;
import java.util.Optional;

/**
 * The application's platform-owned settings at the moment a run started, so later steps follow the
 * rules the run began with even if the registry changes meanwhile.
 *
 * @param environments the promotion chain, first environment first
 * @param scanPolicy the gate between build and the first deploy
 * @param source where build-service clones from; absent: the repository URL, anonymously
 * @param build trusted refs and secret grants of the application's builds; absent (events written
 *     before it existed): the default branch {@code main} and no secret
 */
public record PipelineSnapshot(
    List<EnvironmentSpec> environments,
    ScanPolicy scanPolicy,
    SourceSpec source,
    BuildSettings build) {

  public PipelineSnapshot {
    environments = List.copyOf(Require.noNulls(environments, "environments"));
    Require.present(scanPolicy, "scanPolicy");
    source = source == null ? SourceSpec.DEFAULT : source;
    build = build == null ? BuildSettings.DEFAULT : build;
  }

  /** A pipeline with the default build settings. */
  public PipelineSnapshot(
      List<EnvironmentSpec> environments, ScanPolicy scanPolicy, SourceSpec source) {
    this(environments, scanPolicy, source, BuildSettings.DEFAULT);
  }

  /** A pipeline that clones the repository URL anonymously. */
  public PipelineSnapshot(List<EnvironmentSpec> environments, ScanPolicy scanPolicy) {
    this(environments, scanPolicy, SourceSpec.DEFAULT, BuildSettings.DEFAULT);
  }

  /** The environment named {@code name}, if the chain has it. */
  public Optional<EnvironmentSpec> environment(String name) {
    return environments.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** The environment after {@code name} in the chain, if any. */
  public Optional<EnvironmentSpec> next(String name) {
    for (int i = 0; i < environments.size() - 1; i++) {
      if (environments.get(i).name().equals(name)) {
        return Optional.of(environments.get(i + 1));
      }
    }
    return Optional.empty();
  }
}

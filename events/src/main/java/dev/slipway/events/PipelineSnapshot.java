package dev.slipway.events;

import java.util.List;

/**
 * The application's platform-owned settings at the moment a run started, so later steps follow the
 * rules the run began with even if the registry changes meanwhile.
 *
 * @param environments the promotion chain, first environment first
 * @param scanPolicy the gate between build and the first deploy
 */
public record PipelineSnapshot(List<EnvironmentSpec> environments, ScanPolicy scanPolicy) {

  public PipelineSnapshot {
    environments = List.copyOf(Require.noNulls(environments, "environments"));
    Require.present(scanPolicy, "scanPolicy");
  }
}

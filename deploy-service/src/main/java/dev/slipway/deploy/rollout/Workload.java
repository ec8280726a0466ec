package dev.slipway.deploy.rollout;

import dev.slipway.events.DeploymentSettings;
import java.util.Map;

/**
 * What one Deployment of an application should run: the input of {@link DeploymentFactory}.
 *
 * @param application the application, which names its Deployments and Services
 * @param namespace the environment's namespace
 * @param track the stable Deployment or the canary beside it
 * @param image the image pinned by digest ({@code repo@sha256:…})
 * @param settings the environment's deployment settings
 * @param replicas pods to run (the settings' replicas, or a canary step's share)
 * @param annotations the release's annotations (run, commit, revision)
 */
public record Workload(
    String application,
    String namespace,
    Track track,
    String image,
    DeploymentSettings settings,
    int replicas,
    Map<String, String> annotations) {

  public Workload {
    annotations = Map.copyOf(annotations);
  }

  /** The Deployment's name: the application's, with {@code -canary} for the canary. */
  public String deploymentName() {
    return track.deploymentName(application);
  }

  /** The same workload with another number of pods. */
  public Workload withReplicas(int count) {
    return new Workload(application, namespace, track, image, settings, count, annotations);
  }

  /** Which of an application's two Deployments. */
  public enum Track {
    STABLE,
    CANARY;

    /** The value of the track label. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The name of this track's Deployment (and Service) of {@code application}. */
    public String deploymentName(String application) {
      return this == STABLE ? application : application + "-canary";
    }
  }
}

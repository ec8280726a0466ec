package dev.slipway.events;

import java.util.Map;

/**
 * What deploy-service puts into an environment besides the image: the platform-owned settings of
 * the Deployment and Service it applies, how long a rollout may take, and how a canary is judged.
 * Every field is optional; absent fields take the defaults named here.
 *
 * @param replicas pods of the stable Deployment (default 2)
 * @param port the container port the Service targets (default 8080)
 * @param resources requests and limits of the container; absent: none set
 * @param healthPath HTTP path of the readiness and liveness probes; absent: a TCP probe on {@code
 *     port}
 * @param env environment variables of the container (plain values; never secrets)
 * @param timeoutSeconds how long a rollout may take before it fails (default 300)
 * @param httpRoute a Gateway API HTTPRoute in the namespace whose backend weights follow the canary
 *     steps; absent: traffic follows the replica ratio only
 * @param analysis the check run at every canary step; absent: readiness and restarts only
 */
public record DeploymentSettings(
    Integer replicas,
    Integer port,
    Resources resources,
    String healthPath,
    Map<String, String> env,
    Integer timeoutSeconds,
    String httpRoute,
    Analysis analysis) {

  /** Every default. */
  public static final DeploymentSettings DEFAULTS =
      new DeploymentSettings(null, null, null, null, null, null, null, null);

  public DeploymentSettings {
    replicas = replicas == null ? 2 : replicas;
    port = port == null ? 8080 : port;
    env = env == null ? Map.of() : Map.copyOf(env);
    timeoutSeconds = timeoutSeconds == null ? 300 : timeoutSeconds;
    if (replicas < 1) {
      throw new EventFormatException("replicas", "must be at least 1");
    }
    if (port < 1 || port > 65535) {
      throw new EventFormatException("port", "must be between 1 and 65535");
    }
    if (timeoutSeconds < 1) {
      throw new EventFormatException("timeoutSeconds", "must be at least 1");
    }
  }

  /**
   * Kubernetes quantities of the container; each may be absent.
   *
   * @param cpuRequest e.g. {@code 100m}
   * @param memoryRequest e.g. {@code 128Mi}
   * @param cpuLimit e.g. {@code 500m}
   * @param memoryLimit e.g. {@code 256Mi}
   */
  public record Resources(
      String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {}

  /**
   * A canary analysis, as Argo Rollouts' AnalysisTemplate with a Prometheus provider: at every step
   * the query is evaluated {@code samples} times, {@code intervalSeconds} apart; a sample whose
   * value breaks the threshold is a failure, and more than {@code failureLimit} failures abort the
   * rollout. Readiness and restarts are always checked.
   *
   * @param prometheusQuery a PromQL instant query returning one number; absent: no metric check
   * @param threshold the bound the value is compared with
   * @param comparison whether a good value is {@code BELOW} or {@code ABOVE} the threshold
   * @param failureLimit failures tolerated per step (default 0)
   * @param samples samples per step (default 1)
   * @param intervalSeconds seconds between samples and the pause of each step (default 10)
   * @param maxRestarts container restarts of the canary tolerated per step (default 0)
   */
  public record Analysis(
      String prometheusQuery,
      Double threshold,
      Comparison comparison,
      Integer failureLimit,
      Integer samples,
      Integer intervalSeconds,
      Integer maxRestarts) {

    public Analysis {
      if (prometheusQuery != null) {
        Require.text(prometheusQuery, "prometheusQuery");
        Require.present(threshold, "threshold");
      }
      comparison = comparison == null ? Comparison.BELOW : comparison;
      failureLimit = failureLimit == null ? 0 : failureLimit;
      samples = samples == null ? 1 : samples;
      intervalSeconds = intervalSeconds == null ? 10 : intervalSeconds;
      maxRestarts = maxRestarts == null ? 0 : maxRestarts;
      Require.notNegative(failureLimit, "failureLimit");
      Require.notNegative(intervalSeconds, "intervalSeconds");
      Require.notNegative(maxRestarts, "maxRestarts");
      if (samples < 1) {
        throw new EventFormatException("samples", "must be at least 1");
      }
    }

    /** Which side of the threshold a healthy value is on. */
    public enum Comparison {
      BELOW,
      ABOVE
    }
  }
}

package dev.slipway.trigger.api;

import java.util.Map;

/**
 * What deploy-service runs in an environment besides the image; every field is optional and shown
 * with its default.
 *
 * @param replicas pods of the stable Deployment, 1 to 100 (default 2)
 * @param port the container port the Service targets, 1 to 65535 (default 8080)
 * @param resources Kubernetes quantities of the container's requests and limits; absent: none
 * @param healthPath HTTP path of the readiness and liveness probes, starting with {@code /};
 *     absent: a TCP probe on the port
 * @param env plain environment variables (never secrets): names like {@code LOG_LEVEL}, at most 64,
 *     each value at most 4096 characters
 * @param timeoutSeconds how long a rollout may take, 1 to 86400 (default 300)
 * @param httpRoute name of a Gateway API HTTPRoute in the namespace whose weights follow the canary
 *     steps (DNS-1123 subdomain); absent: traffic follows the replica ratio
 * @param analysis the check run at every canary step; absent: readiness and restarts only
 */
public record DeploymentBody(
    Integer replicas,
    Integer port,
    ResourcesBody resources,
    String healthPath,
    Map<String, String> env,
    Integer timeoutSeconds,
    String httpRoute,
    AnalysisBody analysis) {

  /**
   * Requests and limits of the container as Kubernetes quantities, e.g. {@code 100m}, {@code
   * 128Mi}; each optional, a request at most its limit.
   */
  public record ResourcesBody(
      String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {}

  /**
   * A canary analysis: {@code samples} evaluations of a PromQL query per step, {@code
   * intervalSeconds} apart; more than {@code failureLimit} values on the wrong side of {@code
   * threshold} abort the rollout.
   *
   * @param prometheusQuery PromQL instant query returning one number; absent: no metric check
   * @param threshold the bound; required with a query
   * @param comparison {@code below} (default) or {@code above}: where a healthy value lies
   * @param failureLimit failures tolerated per step, below {@code samples} (default 0)
   * @param samples samples per step, 1 to 100 (default 1)
   * @param intervalSeconds seconds between samples, 0 to 3600 (default 10)
   * @param maxRestarts container restarts of the canary tolerated per step, 0 to 100 (default 0)
   */
  public record AnalysisBody(
      String prometheusQuery,
      Double threshold,
      String comparison,
      Integer failureLimit,
      Integer samples,
      Integer intervalSeconds,
      Integer maxRestarts) {}
}

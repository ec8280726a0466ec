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
 * @param adopt take over objects that exist without Slipway's ownership (default false)
 * @param selfHeal re-apply the last revision when drift is found between rollouts (default false)
 * @param allowClusterResources accept cluster-scoped objects in the application's manifests
 *     (default false)
 * @param soakSeconds how long a completed rollout must run without a crash before it succeeds, 0 to
 *     3600 (default 0)
 * @param minReadySeconds of the generated Deployment, 0 to 3600 (default 0)
 * @param pod more of the generated Deployment's pod; absent: none
 */
public record DeploymentBody(
    Integer replicas,
    Integer port,
    ResourcesBody resources,
    String healthPath,
    Map<String, String> env,
    Integer timeoutSeconds,
    String httpRoute,
    AnalysisBody analysis,
    Boolean adopt,
    Boolean selfHeal,
    Boolean allowClusterResources,
    Integer soakSeconds,
    Integer minReadySeconds,
    PodBody pod) {

  /**
   * More of the generated Deployment's pod; secrets are referenced by name, never sent.
   *
   * @param envFromConfigMaps ConfigMaps whose keys become variables (DNS-1123 subdomains)
   * @param envFromSecrets Secrets whose keys become variables
   * @param secretEnv variables read from one key of a Secret: name to {@code {secret, key}}
   * @param volumes ConfigMaps or Secrets mounted as files: {@code {name, mountPath, configMap |
   *     secret}}
   * @param serviceAccountName the pod's service account (DNS-1123 subdomain)
   * @param command the container's command, at most 32 arguments
   * @param args the container's arguments, at most 32
   * @param ports extra container ports: {@code {name, port}}
   */
  public record PodBody(
      java.util.List<String> envFromConfigMaps,
      java.util.List<String> envFromSecrets,
      Map<String, SecretKeyBody> secretEnv,
      java.util.List<VolumeBody> volumes,
      String serviceAccountName,
      java.util.List<String> command,
      java.util.List<String> args,
      java.util.List<PortBody> ports) {}

  /** One key of a Secret. */
  public record SecretKeyBody(String secret, String key) {}

  /** A ConfigMap or Secret mounted as files. */
  public record VolumeBody(String name, String mountPath, String configMap, String secret) {}

  /** An extra container port. */
  public record PortBody(String name, Integer port) {}

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
   * @param prometheusUrl the Prometheus to ask, {@code http://} or {@code https://}; absent: the
   *     cluster's
   * @param initialDelaySeconds wait before the first sample, 0 to 3600 (default 0)
   * @param consecutiveErrorLimit queries that cannot be evaluated tolerated in a row before the
   *     rollout pauses, 0 to 100 (default 4)
   */
  public record AnalysisBody(
      String prometheusQuery,
      Double threshold,
      String comparison,
      Integer failureLimit,
      Integer samples,
      Integer intervalSeconds,
      Integer maxRestarts,
      String prometheusUrl,
      Integer initialDelaySeconds,
      Integer consecutiveErrorLimit) {}
}

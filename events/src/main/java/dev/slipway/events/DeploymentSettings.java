package dev.slipway.events;

import java.util.List;
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
 * @param adopt whether an object that exists without Slipway's ownership may be taken over (default
 *     false: the rollout fails naming the object and its managers)
 * @param selfHeal whether drift found between rollouts is corrected by applying the last revision
 *     again (default false: it is shown only)
 * @param allowClusterResources whether the application's manifests may hold cluster-scoped objects
 *     (default false: only namespaced objects, into the environment's namespace)
 * @param soakSeconds after a rollout completes, how long its pods must keep running without a crash
 *     before it succeeds (default 0)
 * @param minReadySeconds of the generated Deployment: how long a new pod must be ready before it
 *     counts as available (default 0)
 * @param pod more of the generated Deployment's pod: variables from ConfigMaps and Secrets,
 *     volumes, service account, command and extra ports; absent: none
 */
public record DeploymentSettings(
    Integer replicas,
    Integer port,
    Resources resources,
    String healthPath,
    Map<String, String> env,
    Integer timeoutSeconds,
    String httpRoute,
    Analysis analysis,
    Boolean adopt,
    Boolean selfHeal,
    Boolean allowClusterResources,
    Integer soakSeconds,
    Integer minReadySeconds,
    PodOptions pod) {

  /** Every default. */
  public static final DeploymentSettings DEFAULTS =
      new DeploymentSettings(null, null, null, null, null, null, null, null);

  /** Settings with the defaults of every option added after the first version. */
  public DeploymentSettings(
      Integer replicas,
      Integer port,
      Resources resources,
      String healthPath,
      Map<String, String> env,
      Integer timeoutSeconds,
      String httpRoute,
      Analysis analysis) {
    this(
        replicas,
        port,
        resources,
        healthPath,
        env,
        timeoutSeconds,
        httpRoute,
        analysis,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public DeploymentSettings {
    adopt = adopt != null && adopt;
    selfHeal = selfHeal != null && selfHeal;
    allowClusterResources = allowClusterResources != null && allowClusterResources;
    soakSeconds = soakSeconds == null ? 0 : soakSeconds;
    minReadySeconds = minReadySeconds == null ? 0 : minReadySeconds;
    pod = pod == null ? PodOptions.NONE : pod;
    Require.notNegative(soakSeconds, "soakSeconds");
    Require.notNegative(minReadySeconds, "minReadySeconds");
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
   * More of the generated Deployment's pod. Secrets are referenced, never copied: the values stay
   * in the cluster.
   *
   * @param envFromConfigMaps ConfigMaps whose keys become variables ({@code envFrom})
   * @param envFromSecrets Secrets whose keys become variables ({@code envFrom})
   * @param secretEnv variables read from one key of a Secret ({@code secretKeyRef})
   * @param volumes ConfigMaps and Secrets mounted as files
   * @param serviceAccountName the pod's service account; absent: the namespace's default
   * @param command the container's command (its image's entrypoint replaced)
   * @param args the container's arguments
   * @param ports container ports besides the {@code http} one
   */
  public record PodOptions(
      List<String> envFromConfigMaps,
      List<String> envFromSecrets,
      Map<String, SecretKey> secretEnv,
      List<Volume> volumes,
      String serviceAccountName,
      List<String> command,
      List<String> args,
      List<NamedPort> ports) {

    /** No options. */
    public static final PodOptions NONE =
        new PodOptions(null, null, null, null, null, null, null, null);

    public PodOptions {
      envFromConfigMaps = envFromConfigMaps == null ? List.of() : List.copyOf(envFromConfigMaps);
      envFromSecrets = envFromSecrets == null ? List.of() : List.copyOf(envFromSecrets);
      secretEnv = secretEnv == null ? Map.of() : Map.copyOf(secretEnv);
      volumes = volumes == null ? List.of() : List.copyOf(volumes);
      command = command == null ? List.of() : List.copyOf(command);
      args = args == null ? List.of() : List.copyOf(args);
      ports = ports == null ? List.of() : List.copyOf(ports);
    }
  }

  /**
   * One key of a Secret.
   *
   * @param secret the Secret's name
   * @param key the key
   */
  public record SecretKey(String secret, String key) {
    public SecretKey {
      Require.text(secret, "secret");
      Require.text(key, "key");
    }
  }

  /**
   * A ConfigMap or a Secret mounted as files.
   *
   * @param name the volume's name
   * @param mountPath where in the container
   * @param configMap the ConfigMap (exactly one of configMap and secret)
   * @param secret the Secret
   */
  public record Volume(String name, String mountPath, String configMap, String secret) {
    public Volume {
      Require.text(name, "name");
      Require.text(mountPath, "mountPath");
      if ((configMap == null) == (secret == null)) {
        throw new EventFormatException("volumes", "a volume names a configMap or a secret");
      }
    }
  }

  /**
   * A container port besides {@code http}.
   *
   * @param name its name (an IANA service name)
   * @param port the port
   */
  public record NamedPort(String name, int port) {
    public NamedPort {
      Require.text(name, "name");
      if (port < 1 || port > 65535) {
        throw new EventFormatException("ports", "must be between 1 and 65535");
      }
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
   * @param prometheusUrl the Prometheus to ask; absent: the cluster's
   * @param initialDelaySeconds how long after the canary is ready the first sample waits, beyond
   *     the interval (default 0)
   * @param consecutiveErrorLimit queries that fail (Prometheus unreachable, an error, no single
   *     number) tolerated in a row: an error is inconclusive, not a failed sample; past the limit
   *     the rollout pauses for an operator (default 4)
   */
  public record Analysis(
      String prometheusQuery,
      Double threshold,
      Comparison comparison,
      Integer failureLimit,
      Integer samples,
      Integer intervalSeconds,
      Integer maxRestarts,
      String prometheusUrl,
      Integer initialDelaySeconds,
      Integer consecutiveErrorLimit) {

    /** An analysis with the defaults of every option added after the first version. */
    public Analysis(
        String prometheusQuery,
        Double threshold,
        Comparison comparison,
        Integer failureLimit,
        Integer samples,
        Integer intervalSeconds,
        Integer maxRestarts) {
      this(
          prometheusQuery,
          threshold,
          comparison,
          failureLimit,
          samples,
          intervalSeconds,
          maxRestarts,
          null,
          null,
          null);
    }

    public Analysis {
      initialDelaySeconds = initialDelaySeconds == null ? 0 : initialDelaySeconds;
      consecutiveErrorLimit = consecutiveErrorLimit == null ? 4 : consecutiveErrorLimit;
      Require.notNegative(initialDelaySeconds, "initialDelaySeconds");
      Require.notNegative(consecutiveErrorLimit, "consecutiveErrorLimit");
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

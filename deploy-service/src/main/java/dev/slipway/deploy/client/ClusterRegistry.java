package dev.slipway.deploy.client;

import dev.slipway.deploy.config.DeployConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The clusters deploy-service deploys to, by the name environments use, from configuration: a
 * kubeconfig file and context, the service account of the pod it runs in, or an API URL with a
 * bearer token read from a Kubernetes Secret (as Argo CD registers clusters). One fabric8 client
 * per cluster, made on first use, with connect and request timeouts and without fabric8's own
 * retries (rollouts retry a bounded number of times themselves). Credentials stay inside the
 * clients: no log line, answer or event carries them.
 */
@ApplicationScoped
public class ClusterRegistry {

  /** Where a pod's service account is mounted. */
  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private final Map<String, Cluster> clusters = new TreeMap<>();
  private final Vertx vertx;
  private final Cluster home;

  public ClusterRegistry(DeployConfig config, Vertx vertx) {
    this.vertx = vertx;
    this.home =
        new Cluster(
            "(in-cluster)",
            "in-cluster",
            inClusterUrl(),
            () -> tuned(inCluster(), null),
            false,
            Optional.empty(),
            vertx);
    config
        .clusters()
        .forEach(
            (name, settings) ->
                clusters.put(name, cluster(name, settings, config.prometheusUrl())));
  }

  /** The cluster named {@code name}, if registered. */
  public Optional<Cluster> find(String name) {
    return Optional.ofNullable(clusters.get(name));
  }

  /** Every registered cluster, by name. */
  public Collection<Cluster> all() {
    return List.copyOf(clusters.values());
  }

  /** The registered names, for messages about an unknown one. */
  public Collection<String> names() {
    return List.copyOf(clusters.keySet());
  }

  @PreDestroy
  void close() {
    clusters.values().forEach(Cluster::close);
    home.close();
  }

  private Cluster cluster(
      String name, DeployConfig.Cluster settings, Optional<String> defaultPrometheus) {
    int ways =
        (settings.kubeconfig().isPresent() ? 1 : 0)
            + (settings.inCluster() ? 1 : 0)
            + (settings.apiUrl().isPresent() ? 1 : 0);
    if (ways != 1) {
      throw new IllegalStateException(
          "cluster "
              + name
              + ": set exactly one of kubeconfig, in-cluster=true or api-url (with token-secret)");
    }
    Optional<String> prometheus = settings.prometheusUrl().or(() -> defaultPrometheus);
    if (settings.kubeconfig().isPresent()) {
      String file = settings.kubeconfig().get();
      return new Cluster(
          name,
          "kubeconfig",
          null,
          () -> tuned(fromKubeconfig(name, file, settings.context().orElse(null)), settings),
          settings.createNamespaces(),
          prometheus,
          vertx);
    }
    if (settings.inCluster()) {
      return new Cluster(
          name,
          "in-cluster",
          inClusterUrl(),
          () -> tuned(inCluster(), settings),
          settings.createNamespaces(),
          prometheus,
          vertx);
    }
    DeployConfig.TokenSecret secret =
        settings
            .tokenSecret()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "cluster " + name + ": api-url needs token-secret.namespace and .name"));
    String apiUrl = settings.apiUrl().get();
    return new Cluster(
        name,
        "token-secret",
        apiUrl,
        () -> tuned(withToken(name, apiUrl, secret), settings),
        settings.createNamespaces(),
        prometheus,
        vertx);
  }

  private Config withToken(String name, String apiUrl, DeployConfig.TokenSecret location) {
    Cluster source =
        location
            .cluster()
            .map(
                from ->
                    find(from)
                        .orElseThrow(
                            () ->
                                new ClusterUnreachableException(
                                    "cluster "
                                        + name
                                        + ": its token Secret is in cluster "
                                        + from
                                        + ", which is not registered")))
            .orElse(home);
    String where =
        "Secret " + location.namespace() + "/" + location.name() + " in " + source.name();
    Secret secret;
    try {
      KubernetesClient client = source.client();
      secret = client.secrets().inNamespace(location.namespace()).withName(location.name()).get();
    } catch (RuntimeException e) {
      throw new ClusterUnreachableException(
          "cluster "
              + name
              + ": cannot read its token from "
              + where
              + ": "
              + ClusterErrors.describe(e),
          e);
    }
    if (secret == null
        || secret.getData() == null
        || !secret.getData().containsKey(location.key())) {
      throw new ClusterUnreachableException(
          "cluster " + name + ": " + where + " has no key '" + location.key() + "'");
    }
    String token =
        new String(
                Base64.getDecoder().decode(secret.getData().get(location.key())),
                StandardCharsets.UTF_8)
            .trim();
    ConfigBuilder config =
        new ConfigBuilder(Config.empty()).withMasterUrl(apiUrl).withOauthToken(token);
    String ca = secret.getData().get("ca.crt");
    if (ca != null) {
      config.withCaCertData(ca);
    }
    return config.build();
  }

  private static Config fromKubeconfig(String name, String file, String context) {
    File kubeconfig = new File(file);
    if (!kubeconfig.isFile()) {
      throw new ClusterUnreachableException(
          "cluster " + name + ": kubeconfig " + kubeconfig.getAbsolutePath() + " does not exist");
    }
    try {
      return Config.fromKubeconfig(context, kubeconfig);
    } catch (RuntimeException e) {
      throw new ClusterUnreachableException(
          "cluster " + name + ": kubeconfig " + file + " cannot be used: " + e.getMessage(), e);
    }
  }

  private static Config inCluster() {
    String url = inClusterUrl();
    if (url == null) {
      throw new ClusterUnreachableException(
          "in-cluster: deploy-service does not run in a pod (KUBERNETES_SERVICE_HOST is not set)");
    }
    Path token = SERVICE_ACCOUNT.resolve("token");
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withCaCertFile(SERVICE_ACCOUNT.resolve("ca.crt").toString())
        // Projected service account tokens rotate: read the file for every request.
        .withOauthTokenProvider(() -> readToken(token))
        .build();
  }

  private static String readToken(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new ClusterUnreachableException("in-cluster: cannot read the service account token", e);
    }
  }

  private static String inClusterUrl() {
    String host = System.getenv("KUBERNETES_SERVICE_HOST");
    String port = System.getenv("KUBERNETES_SERVICE_PORT");
    if (host == null || host.isBlank()) {
      return null;
    }
    String address = host.contains(":") ? "[" + host + "]" : host;
    return "https://" + address + ":" + (port == null ? "443" : port);
  }

  private static Config tuned(Config base, DeployConfig.Cluster settings) {
    ConfigBuilder config =
        new ConfigBuilder(base)
            // Rollouts retry a bounded number of times themselves; fabric8's own retries would
            // multiply those and hold a worker.
            .withRequestRetryBackoffLimit(0);
    if (settings != null) {
      config
          .withConnectionTimeout((int) settings.connectTimeout().toMillis())
          .withRequestTimeout((int) settings.requestTimeout().toMillis());
      if (settings.insecureSkipTlsVerify()) {
        config.withTrustCerts(true).withDisableHostnameVerification(true);
      }
    }
    return config.build();
  }
}

package dev.slipway.deploy.client;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One cluster of the registry: its name, how it is reached, and one fabric8 client created on first
 * use (and again after a failed attempt). {@link #toString()} names no credential.
 */
public final class Cluster implements AutoCloseable {

  private final String name;
  private final String source;
  private final Supplier<Config> connection;
  private final boolean createNamespaces;
  private final Optional<String> prometheusUrl;
  private final Vertx vertx;
  private volatile String apiUrl;
  private volatile KubernetesClient client;

  Cluster(
      String name,
      String source,
      String apiUrl,
      Supplier<Config> connection,
      boolean createNamespaces,
      Optional<String> prometheusUrl,
      Vertx vertx) {
    this.name = name;
    this.source = source;
    this.apiUrl = withoutTrailingSlash(apiUrl);
    this.connection = connection;
    this.createNamespaces = createNamespaces;
    this.prometheusUrl = prometheusUrl;
    this.vertx = vertx;
  }

  /** The name environments use. */
  public String name() {
    return name;
  }

  /** kubeconfig, in-cluster or token-secret. */
  public String source() {
    return source;
  }

  /** The API server's URL, once known (a kubeconfig is read when the client is first made). */
  public String apiUrl() {
    return apiUrl;
  }

  /** Whether a missing namespace is created. */
  public boolean createNamespaces() {
    return createNamespaces;
  }

  /** The Prometheus canary analyses of this cluster query. */
  public Optional<String> prometheusUrl() {
    return prometheusUrl;
  }

  /**
   * The cluster's client, made on first use.
   *
   * @throws ClusterUnreachableException when its credentials cannot be loaded
   */
  public KubernetesClient client() {
    KubernetesClient current = client;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (client == null) {
        Config config = connection.get();
        apiUrl = withoutTrailingSlash(config.getMasterUrl());
        client =
            new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new VertxHttpClientFactory(vertx))
                .build();
      }
      return client;
    }
  }

  /** Asks the API server for its version. */
  public ClusterInfo probe() {
    try {
      String version = client().getKubernetesVersion().getGitVersion();
      return new ClusterInfo(name, apiUrl, source, true, version, null);
    } catch (RuntimeException e) {
      return new ClusterInfo(name, apiUrl, source, false, null, ClusterErrors.describe(e));
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  private static String withoutTrailingSlash(String url) {
    return url == null ? null : url.replaceAll("/+$", "");
  }

  @Override
  public String toString() {
    return "cluster " + name + (apiUrl == null ? "" : " (" + apiUrl + ")");
  }
}

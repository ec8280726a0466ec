package dev.slipway.deploy.config;

import dev.slipway.work.outbox.OutboxSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of deploy-service: its clusters, how rollouts are worked on, the outbox relay, the
 * registry of rendered manifests, drift detection, approvals and what a rollout verifies.
 */
@ConfigMapping(prefix = "slipway.deploy")
public interface DeployConfig {

  /** The clusters environments may name, by name; credentials never leave this service. */
  Map<String, Cluster> clusters();

  /** Prometheus queried by canary analyses of clusters that name none of their own. */
  Optional<String> prometheusUrl();

  /** How rollouts are claimed and driven. */
  Rollouts rollouts();

  /**
   * The outbox of deploy.done, deploy.requested and approval.decided and its relay to Kafka ({@code
   * slipway.deploy.outbox.*}).
   */
  OutboxSettings outbox();

  /** The OCI registry the rendered manifests are fetched from. */
  Registry registry();

  /** How live objects are compared with the last applied revision between rollouts. */
  Drift drift();

  /** The registry holding rendered manifests. */
  interface Registry {

    /** Registries (host:port) spoken to over plain HTTP; others over HTTPS. */
    Optional<List<String>> insecure();

    /** The user name for the registry, if it needs one. */
    Optional<String> username();

    /** The password for the registry. */
    Optional<String> password();
  }

  /** Drift detection. */
  interface Drift {

    /** How often every environment's last revision is compared with the cluster. */
    @WithDefault("5m")
    Duration interval();
  }

  /** Approvals and the checks a rollout passes before it applies anything. */
  Trust trust();

  /** How approvals are kept honest and what a rollout verifies before it applies anything. */
  interface Trust {

    /** How often live approvals are checked for expiry and revocation. */
    @WithDefault("10s")
    Duration sweepInterval();

    /**
     * How long a rollout waits for scan-service's verdict on its digest (scan.done and
     * deploy.requested travel on different topics, so the request may come first).
     */
    @WithDefault("10s")
    Duration verdictWait();
  }

  /**
   * One cluster. Exactly one way to reach it: {@code kubeconfig} (with an optional {@code
   * context}), {@code in-cluster}, or {@code api-url} with {@code token-secret}.
   */
  interface Cluster {

    /** A kubeconfig file with the cluster's server and credentials. */
    Optional<String> kubeconfig();

    /** The kubeconfig context to use; absent: the file's current context. */
    Optional<String> context();

    /** Reach the cluster deploy-service runs in with its pod's service account. */
    @WithDefault("false")
    boolean inCluster();

    /** The API server's URL, used with {@code token-secret}. */
    Optional<String> apiUrl();

    /** The Kubernetes Secret holding the bearer token (and {@code ca.crt}) for {@code api-url}. */
    Optional<TokenSecret> tokenSecret();

    /** Skip verifying the API server's certificate; for test clusters only. */
    @WithDefault("false")
    boolean insecureSkipTlsVerify();

    /** Create an environment's namespace when it does not exist yet. */
    @WithDefault("false")
    boolean createNamespaces();

    /** Prometheus for canary analyses in this cluster; absent: slipway.deploy.prometheus-url. */
    Optional<String> prometheusUrl();

    /** How long connecting to the API server may take. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** How long one API request may take. */
    @WithDefault("15s")
    Duration requestTimeout();
  }

  /** Where the bearer token of an {@code api-url} cluster is kept. */
  interface TokenSecret {

    /**
     * The registered cluster the Secret is read from; absent: the cluster deploy-service runs in.
     */
    Optional<String> cluster();

    /** The Secret's namespace. */
    String namespace();

    /** The Secret's name, e.g. a {@code kubernetes.io/service-account-token} Secret. */
    String name();

    /** The data key holding the token. */
    @WithDefault("token")
    String key();
  }

  /** How rollouts are worked on. */
  interface Rollouts {

    /** This instance's name in rollout leases; absent: host name and a random suffix. */
    Optional<String> instance();

    /** Threads that talk to clusters and the database for rollouts. */
    @WithDefault("8")
    int workerThreads();

    /** Rollouts one instance works on at once. */
    @WithDefault("200")
    int maxActive();

    /** How often queued rollouts and expired leases are looked for (besides on arrival). */
    @WithDefault("1s")
    Duration claimInterval();

    /**
     * How long a lease lasts unless renewed (it is renewed every third of it); another instance
     * takes an expired one over.
     */
    @WithDefault("30s")
    Duration lease();

    /**
     * How long before its lease could run out a worker whose renewals did not get through stops
     * acting on the cluster for that rollout. Default: a quarter of the lease; at most the lease
     * minus two renewals.
     */
    Optional<Duration> leaseMargin();

    /**
     * The longest wait between two looks at the cluster: looks start 50 ms into a phase and slow
     * down (a quarter of the phase's age) to this.
     */
    @WithDefault("2s")
    Duration pollInterval();

    /** Consecutive failures to reach a cluster before its rollout fails. */
    @WithDefault("5")
    int clusterAttempts();

    /** Delay before the first retry of an unreachable cluster; doubles with each retry. */
    @WithDefault("1s")
    Duration clusterRetryDelay();

    /** How long a pod may fail to pull its image before the rollout fails (registries blink). */
    @WithDefault("60s")
    Duration pullErrorGrace();

    /** Unexpected failures of one rollout's turns before it fails with the error's id. */
    @WithDefault("3")
    int unexpectedErrorLimit();

    /** How long one database call of a rollout may take. */
    @WithDefault("10s")
    Duration databaseTimeout();
  }
}

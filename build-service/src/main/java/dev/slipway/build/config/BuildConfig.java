package dev.slipway.build.config;

import dev.slipway.work.outbox.OutboxSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** build-service's settings, under {@code slipway.build}. */
@ConfigMapping(prefix = "slipway.build")
public interface BuildConfig {

  /** Builds this instance runs at the same time; more instances build more in parallel. */
  @WithDefault("2")
  int workers();

  /**
   * How long a claimed build stays its worker's without a heartbeat; then any instance takes it.
   */
  @WithDefault("30s")
  Duration lease();

  /** How often a running build's lease is renewed and a cancel asked elsewhere is noticed. */
  @WithDefault("2s")
  Duration heartbeat();

  /** How often a running build's new log lines are stored, where followers of its log read them. */
  @WithDefault("300ms")
  Duration logFlushInterval();

  /** How often an idle worker looks for queued builds (a commit received here wakes it at once). */
  @WithDefault("1s")
  Duration pollInterval();

  /** How many times a build may be claimed (first run plus take-overs) before it fails. */
  @WithDefault("3")
  int maxClaims();

  /** Folder holding one workspace per running build. */
  Path workspaceDir();

  /** Folder holding the cached paths, per application and lockfile hash. */
  Path cacheDir();

  /** Keep a build's workspace after it ended (for debugging); normally it is deleted. */
  @WithDefault("false")
  boolean keepWorkspaces();

  /** Whole-build timeout when {@code .slipway.yaml} sets none. */
  @WithDefault("1h")
  Duration buildTimeout();

  /** Which executor runs the steps: {@code local} or {@code kubernetes}. */
  @WithDefault("local")
  Executor executor();

  /** The OCI registry images and SBOMs are pushed to. */
  Registry registry();

  /** Where sources may be cloned from. */
  Source source();

  /** Read credentials for clones, by the name an application's source names. */
  Map<String, Credential> credentials();

  /** Secrets steps may read as environment variables, by the name {@code .slipway.yaml} uses. */
  Map<String, Secret> secrets();

  /** The local executor. */
  Local local();

  /** The kubernetes executor. */
  Kubernetes kubernetes();

  /** Buildah, the dockerfile builder. */
  Buildah buildah();

  /** The signed provenance and SBOM attestations attached to every pushed image. */
  Provenance provenance();

  /** The outbox of build.done and its relay to Kafka ({@code slipway.build.outbox.*}). */
  OutboxSettings outbox();

  /** The executors. */
  enum Executor {
    LOCAL,
    KUBERNETES
  }

  /** An OCI registry. */
  interface Registry {
    /** {@code host:port} of the registry, e.g. {@code 127.0.0.1:5000}. */
    @WithDefault("127.0.0.1:5000")
    String address();

    /** Whether it is reached over plain HTTP / without TLS verification (loopback registries). */
    @WithDefault("true")
    boolean insecure();

    /** User name for pushing, when the registry needs one. */
    Optional<String> username();

    /** Password or token for pushing, when the registry needs one; never logged. */
    Optional<String> password();
  }

  /** Source restrictions. */
  interface Source {
    /** Folders under which {@code file://} repositories may be cloned; none: file:// is refused. */
    Optional<List<Path>> allowedFileRoots();

    /** How long a clone may take. */
    @WithDefault("5m")
    Duration cloneTimeout();

    /** known_hosts file ssh host keys are checked against; none: ssh URLs are refused. */
    Optional<Path> sshKnownHosts();
  }

  /**
   * A read credential from configuration or from a Kubernetes Secret: a token for https URLs, a
   * private key (OpenSSH or PEM, no passphrase) for ssh URLs.
   */
  interface Credential {
    /** User name sent with the token over HTTPS (ssh uses the URL's user). */
    @WithDefault("x-access-token")
    String username();

    /** The token or ssh private key itself (from an environment variable, never committed). */
    Optional<String> token();

    /** Or the name of a Kubernetes Secret in the build namespace holding it. */
    Optional<String> kubernetesSecret();

    /** The key of the token in that Secret. */
    @WithDefault("token")
    String key();
  }

  /** A secret a build may read, from configuration or a Kubernetes Secret. */
  interface Secret {
    /** The value itself (from an environment variable, never committed). */
    Optional<String> value();

    /** Or the name of a Kubernetes Secret in the build namespace holding it. */
    Optional<String> kubernetesSecret();

    /** The key of the value in that Secret. */
    @WithDefault("value")
    String key();

    /** Applications allowed to read it; absent: every application. */
    Optional<List<String>> applications();
  }

  /** Steps as processes on this host. */
  interface Local {
    /** PATH of the steps' otherwise empty environment. */
    @WithDefault("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    String path();

    /** How long a step's processes get after SIGTERM before SIGKILL. */
    @WithDefault("2s")
    Duration killGrace();
  }

  /** Steps as a Kubernetes Job. */
  interface Kubernetes {
    /** Namespace of the build Jobs. */
    @WithDefault("slipway-builds")
    String namespace();

    /** Service account of the build pods. */
    Optional<String> serviceAccount();

    /** Node selector of the build pods. */
    Map<String, String> nodeSelector();

    /** Image of the steps when {@code .slipway.yaml} names no toolchain. */
    @WithDefault("debian:bookworm-slim")
    String defaultToolchain();

    /** PersistentVolumeClaim shared with this service holding the workspaces (ReadWriteMany). */
    Optional<String> workspaceClaim();

    /** Where this service mounts that claim; workspaces must live under it. */
    @WithDefault("/workspace")
    String workspaceMountPath();

    /** CPU request of each step container. */
    @WithDefault("500m")
    String cpuRequest();

    /** Memory request of each step container. */
    @WithDefault("512Mi")
    String memoryRequest();

    /** CPU limit of each step container. */
    @WithDefault("2")
    String cpuLimit();

    /** Memory limit of each step container. */
    @WithDefault("2Gi")
    String memoryLimit();

    /** How often the Job's pod is looked at while it runs. */
    @WithDefault("500ms")
    Duration pollInterval();

    /** How long a Job may wait for its pod to be scheduled and start. */
    @WithDefault("10m")
    Duration startTimeout();

    /**
     * How long the Kubernetes API may keep failing while a Job is followed before the build fails.
     */
    @WithDefault("1m")
    Duration apiOutageTolerance();
  }

  /** Buildah. */
  interface Buildah {
    /** The buildah binary. */
    @WithDefault("buildah")
    String binary();

    /** Buildah's image storage (--root); absent: Buildah's default. */
    Optional<Path> root();

    /** Buildah's run state (--runroot); absent: Buildah's default. */
    Optional<Path> runroot();
  }

  /** Attestation signing. */
  interface Provenance {
    /**
     * PEM file holding the signing key: an ECDSA P-256 private key (PKCS#8 {@code PRIVATE KEY})
     * followed by its {@code PUBLIC KEY}. Made on first start when absent and {@code generate-key}
     * allows it; on Kubernetes, mounted from a Secret.
     */
    Path keyFile();

    /** Whether a missing key file is made (a new key pair) at start, rather than refused. */
    @WithDefault("true")
    boolean generateKey();

    /**
     * PEM file of earlier signing keys' public keys, still published at {@code /api/builds/keys} so
     * that images signed before a rotation keep verifying; a missing file means none.
     */
    Optional<Path> retiredKeys();

    /** The builder id written into every provenance ({@code runDetails.builder.id}). */
    @WithDefault("https://slipway.dev/build-service")
    String builderId();
  }
}

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

  /**
   * How long before its lease could run out a worker whose renewals did not get through stops its
   * build: long enough to kill the step's processes, so they are gone before another instance can
   * take the build over. Default: a quarter of the lease. At most {@code lease} minus two
   * heartbeats.
   */
  Optional<Duration> leaseMargin();

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

  /**
   * The longest a build may take: a {@code .slipway.yaml} timeout above it is refused (the
   * repository cannot raise the platform's limit).
   */
  @WithDefault("3h")
  Duration maxBuildTimeout();

  /** How long the image stage (build and push) may take, whatever time the build has left. */
  @WithDefault("30m")
  Duration imageDeadline();

  /**
   * Disk space of a build's workspace (checkout, cache, home, image storage), e.g. {@code 10g}; a
   * build writing more fails. Enforced by a filesystem of that size per build where this host can
   * mount one (as root), otherwise by measuring.
   */
  @WithDefault("10g")
  String workspaceQuota();

  /** The toolchain image steps run in when {@code .slipway.yaml} names none. */
  Toolchain toolchain();

  /** The image build of a Dockerfile: Buildah, in a container of the build. */
  ImageBuilder imageBuilder();

  /** Limits of a build's log. */
  Logs log();

  /** Limits of live log followers. */
  Followers followers();

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

    /**
     * The applications these credentials belong to ({@code *}: every one); credentials that name
     * none are used by none.
     */
    Optional<List<String>> applications();
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

    /**
     * Applications allowed to read it; absent: any application the registry grants it to (the
     * registry also binds it to refs).
     */
    Optional<List<String>> applications();
  }

  /** Steps as containers on this host (podman). */
  interface Local {
    /** The podman binary. */
    @WithDefault("podman")
    String podman();

    /**
     * The OCI runtime podman uses: {@code crun}, {@code runc}, or {@code auto} (crun, unless this
     * host mixes cgroup v1 and v2, which crun 1.8 refuses, and runc is installed).
     */
    @WithDefault("auto")
    String runtime();

    /** {@code uid:gid} steps run as: not root, whatever the toolchain image says. */
    @WithDefault("1000:1000")
    String user();

    /** Memory of each step's container, e.g. {@code 4g}. */
    @WithDefault("4g")
    String memory();

    /** The most processes and threads a step's container may have at once. */
    @WithDefault("4096")
    int pids();

    /** CPUs of each step's container, e.g. {@code 2}; absent: no limit. */
    Optional<String> cpus();

    /**
     * More destinations (CIDRs) builds may not reach, besides the private, link-local and loopback
     * ranges and this host's own addresses, which are always refused.
     */
    Optional<List<String>> deniedNetworks();

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

    /** PersistentVolumeClaim shared with this service holding the workspaces (ReadWriteMany). */
    Optional<String> workspaceClaim();

    /** Where this service mounts that claim; workspaces must live under it. */
    @WithDefault("/workspace")
    String workspaceMountPath();

    /**
     * The uid (and gid) steps run as: not root; by default build-service's own (185 in its image),
     * so both can write the checkout on the shared claim.
     */
    @WithDefault("185")
    long runAsUser();

    /** Scratch disk (home, /tmp, the image stage's storage) of each build container. */
    @WithDefault("4Gi")
    String ephemeralStorage();

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

  /** The toolchain images. */
  interface Toolchain {
    /**
     * The image of steps when {@code .slipway.yaml} names none: Debian bookworm (minbase) with a
     * shell, coreutils, git, curl and CA certificates, built by {@code infra/images}.
     */
    @WithDefault("slipway/toolchain:bookworm")
    String defaultImage();
  }

  /** The image stage's builder. */
  interface ImageBuilder {
    /** The image with Buildah the Dockerfile build runs in, built by {@code infra/images}. */
    @WithDefault("slipway/buildah:bookworm")
    String image();
  }

  /** How much of a build's output is kept. */
  interface Logs {
    /** Bytes of log a build keeps; the rest is dropped with a marker line saying so. */
    @WithDefault("8388608")
    long maxBytes();

    /** Characters of one line kept; a longer line is cut, with a marker saying how much. */
    @WithDefault("8192")
    int maxLineLength();
  }

  /** How many clients may follow build logs live. */
  interface Followers {
    /** Followers of one build's log at once. */
    @WithDefault("16")
    int perBuild();

    /** Followers of all builds' logs at once on this instance. */
    @WithDefault("256")
    int perInstance();
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

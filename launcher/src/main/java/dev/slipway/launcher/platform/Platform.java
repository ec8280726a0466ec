package dev.slipway.launcher.platform;

import dev.slipway.launcher.console.ConsoleLinks;
import dev.slipway.launcher.demo.PlatformClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local platform's topology, written once: which processes run (the five services, the sandbox
 * Kubernetes API, a loopback OCI registry), on which ports, with which settings, what must be
 * prepared before them (databases, topics, the audit store), in which order, and when each is ready
 * ({@code /q/health/ready}). {@code ./slipway up}, {@code restart}, {@code kill}, {@code status}
 * and the end-to-end tests all go through it; they differ only in their {@link PlatformSettings}.
 *
 * <p>Start-up is parallel wherever nothing orders it: the registry, the sandbox, the databases and
 * the topics at once; each service as soon as what it needs is there (deploy-service the sandbox's
 * kubeconfig, audit-service its migrated store), readiness awaited for all together.
 */
public final class Platform implements AutoCloseable {

  static final String SANDBOX = "k8s-sandbox";
  static final String REGISTRY = "registry";
  static final String CONSOLE = "console";
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);

  /**
   * How long a service or the console may take to stop when it writes its run class archive as it
   * exits ({@link JvmOptions}): the archive takes a JVM seconds on its own, and the five services
   * and the console stopping at once share the cores.
   */
  private static final Duration ARCHIVE_STOP_GRACE = Duration.ofSeconds(120);

  private static final Pattern QUARKUS_STARTED = Pattern.compile("started in ([0-9.]+)s");

  private final PlatformSettings settings;
  private final PrintStream out;
  private final ProcessRunner processes;
  private final LocalSecrets secrets;
  private final ServiceSettings serviceSettings;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<PlatformService, Duration> startedIn = new ConcurrentHashMap<>();

  /**
   * @param settings what makes this platform differ from another
   * @param out where progress lines go ({@code [slipway] …})
   */
  public Platform(PlatformSettings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.processes = new ProcessRunner(settings.layout());
    this.secrets = new LocalSecrets(settings.layout().secrets());
    this.serviceSettings = new ServiceSettings(settings, secrets);
  }

  public PlatformSettings settings() {
    return settings;
  }

  /**
   * Starts whatever of the platform is not running yet (Kafka and PostgreSQL must be) and returns
   * when every service is ready.
   */
  public void start() {
    Instant begin = Instant.now();
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      CompletableFuture<Void> registry = CompletableFuture.runAsync(this::startRegistry, pool);
      CompletableFuture<Void> sandbox = CompletableFuture.runAsync(this::startSandbox, pool);
      CompletableFuture<Set<PlatformService>> databases =
          CompletableFuture.supplyAsync(
              () -> Databases.ensure(settings.infrastructure().postgres()), pool);
      CompletableFuture<Void> topics = CompletableFuture.runAsync(this::createTopics, pool);
      CompletableFuture<Void> auditStore =
          databases.thenAcceptAsync(
              created -> {
                if (created.contains(PlatformService.AUDIT)) {
                  setAsideCheckpoint();
                }
                if (processes.running(PlatformService.AUDIT.module()).isEmpty()) {
                  timed("the audit store (roles, key, migrations)", this::prepareAuditStore);
                }
              },
              pool);
      CompletableFuture<Void> basics = CompletableFuture.allOf(databases, topics);
      Map<PlatformService, CompletableFuture<Void>> services = new EnumMap<>(PlatformService.class);
      for (PlatformService service : PlatformService.values()) {
        CompletableFuture<Void> ready =
            switch (service) {
              case BUILD -> CompletableFuture.allOf(basics, registry);
              case DEPLOY -> CompletableFuture.allOf(basics, sandbox);
              case AUDIT -> CompletableFuture.allOf(basics, auditStore);
              default -> basics;
            };
        services.put(service, ready.thenRunAsync(() -> startService(service), pool));
      }
      CompletableFuture.allOf(services.values().toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    } finally {
      pool.shutdownNow();
    }
    say(
        "the platform is ready after %.1f s",
        Duration.between(begin, Instant.now()).toMillis() / 1000.0);
  }

  /** Starts {@code service} unless it runs, and returns when it is ready. */
  public void startService(PlatformService service) {
    Optional<ProcessHandle> running = processes.running(service.module());
    if (running.isPresent()) {
      say("%s already running (pid %d)", service, running.get().pid());
      return;
    }
    requireFreePort(settings.ports().of(service), service.module());
    Path jar = settings.layout().jar(service);
    if (!Files.isRegularFile(jar)) {
      throw new PlatformException(service + " is not built (" + jar + " missing)");
    }
    Instant launched = Instant.now();
    ProcessHandle process =
        processes.startQuarkus(
            service.module(),
            settings.jvm().of(service, jar),
            jar,
            serviceSettings.environment(service));
    await(
        service.module(),
        process,
        () -> answers(url(service) + "/q/health/ready"),
        settings.readyTimeout());
    Duration took = Duration.between(launched, Instant.now());
    startedIn.put(service, took);
    say("%s ready after %.1f s", service, took.toMillis() / 1000.0);
  }

  /**
   * Starts one more instance of {@code service}, as a second replica of its Deployment runs: the
   * same packaged jar, settings and database, so it claims from the same queues and joins the same
   * consumer groups; its own port and process ({@code build-service.2}, logging to {@code
   * logs/build-service.2.log}) and, for build-service, its own workspace folder (a pod's emptyDir),
   * while the signing key and the layer cache stay shared, as replicas share a Secret and a volume.
   * Returns the process once it is ready; {@link #close} stops it with the rest.
   *
   * @param ordinal the instance's number, from 2 (the platform's own instance is the first)
   */
  public ProcessHandle startReplica(PlatformService service, int ordinal, int port) {
    if (ordinal < 2) {
      throw new IllegalArgumentException("a replica's ordinal starts at 2, not " + ordinal);
    }
    String name = replicaName(service, ordinal);
    Optional<ProcessHandle> running = processes.running(name);
    if (running.isPresent()) {
      throw new PlatformException(name + " already runs (pid " + running.get().pid() + ")");
    }
    requireFreePort(port, name);
    Path jar = settings.layout().jar(service);
    if (!Files.isRegularFile(jar)) {
      throw new PlatformException(service + " is not built (" + jar + " missing)");
    }
    Map<String, String> env = serviceSettings.replicaEnvironment(service, name, port);
    Instant launched = Instant.now();
    ProcessHandle process =
        processes.startQuarkus(name, settings.jvm().ofReplica(service, jar), jar, env);
    await(
        name,
        process,
        () -> answers("http://127.0.0.1:" + port + "/q/health/ready"),
        settings.readyTimeout());
    say(
        "%s ready after %.1f s",
        name, Duration.between(launched, Instant.now()).toMillis() / 1000.0);
    return process;
  }

  /** Stops the replica {@link #startReplica} started (SIGTERM, SIGKILL after 20 s). */
  public void stopReplica(PlatformService service, int ordinal) {
    String name = replicaName(service, ordinal);
    stopProcess(name, name, STOP_GRACE);
  }

  /** The live process of {@code service}'s own instance, if it runs. */
  public Optional<ProcessHandle> process(PlatformService service) {
    return processes.running(service.module());
  }

  private static String replicaName(PlatformService service, int ordinal) {
    return service.module() + "." + ordinal;
  }

  /**
   * Starts the web console on {@code port} unless it runs, against this platform's services, with
   * the session key of the state folder ({@code secrets/console-session-key}, which {@code
   * ./slipway console-link} seals sign-in links with) and the token key the services trust; returns
   * its URL once it is ready.
   */
  public String startConsole(int port) {
    String consoleUrl = "http://localhost:" + port;
    Optional<ProcessHandle> running = processes.running(CONSOLE);
    if (running.isPresent()) {
      say("the console already running (pid %d)", running.get().pid());
      return consoleUrl;
    }
    requireFreePort(port, CONSOLE);
    Path jar = settings.layout().top().resolve("console/target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new PlatformException("the console is not built (" + jar + " missing)");
    }
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
    env.put("SLIPWAY_CONSOLE_TRIGGER_URL", url(PlatformService.TRIGGER));
    env.put("SLIPWAY_CONSOLE_BUILD_URL", url(PlatformService.BUILD));
    env.put("SLIPWAY_CONSOLE_SCAN_URL", url(PlatformService.SCAN));
    env.put("SLIPWAY_CONSOLE_DEPLOY_URL", url(PlatformService.DEPLOY));
    env.put("SLIPWAY_CONSOLE_AUDIT_URL", url(PlatformService.AUDIT));
    env.put("SLIPWAY_JWT_PUBLIC_KEY", settings.jwtPublicKey());
    try {
      env.put("SLIPWAY_CONSOLE_SESSION_KEY", ConsoleLinks.sessionKey(settings.layout().secrets()));
    } catch (IOException e) {
      throw new PlatformException("cannot make the console's session key: " + e.getMessage(), e);
    }
    List<String> options = List.of("-Xmx256m");
    Instant launched = Instant.now();
    ProcessHandle process =
        processes.startQuarkus(CONSOLE, settings.jvm().of(jar, options), jar, env);
    await(
        CONSOLE,
        process,
        () -> answers("http://127.0.0.1:" + port + "/q/health/ready"),
        settings.readyTimeout());
    say(
        "the console ready after %.1f s",
        Duration.between(launched, Instant.now()).toMillis() / 1000.0);
    return consoleUrl;
  }

  /** Kills the web console at once (SIGKILL); whether it was running. */
  public boolean killConsole() {
    return processes.kill(CONSOLE);
  }

  /**
   * Stops the web console (SIGTERM, SIGKILL after 20 s) and starts it again on {@code port}, as
   * {@link #startConsole} does; its URL once it is ready. Signed-in users stay signed in: sessions
   * are cookies sealed with the state folder's key, which the new process reads again.
   */
  public String restartConsole(int port) {
    stopProcess(CONSOLE, "the console", STOP_GRACE);
    return startConsole(port);
  }

  /** Kills {@code service} at once (SIGKILL: no shutdown hook runs); whether it was running. */
  public boolean kill(PlatformService service) {
    return processes.kill(service.module());
  }

  /** Stops {@code service} (SIGTERM, SIGKILL after 20 s) and starts it again; waits until ready. */
  public void restart(PlatformService service) {
    stop(service);
    startService(service);
  }

  /** Stops {@code service}: SIGTERM, then SIGKILL after 20 s, saying so. */
  public void stop(PlatformService service) {
    stopProcess(service.module(), service.module(), STOP_GRACE);
  }

  /** Whether every service's process is alive. */
  public boolean allRunning() {
    for (PlatformService service : PlatformService.values()) {
      if (processes.running(service.module()).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code service}'s process is alive. */
  public boolean running(PlatformService service) {
    return processes.running(service.module()).isPresent();
  }

  /**
   * Stops every process of the platform (services in parallel, then the sandbox and registries);
   * returns when they are gone. Kafka and PostgreSQL are not the platform's to stop.
   */
  @Override
  public void close() {
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    for (PlatformService service : PlatformService.values()) {
      stopping.add(CompletableFuture.runAsync(() -> stop(service)));
      for (String replica : processes.known(service.module() + ".")) {
        stopping.add(CompletableFuture.runAsync(() -> stopProcess(replica, replica, STOP_GRACE)));
      }
    }
    stopping.add(CompletableFuture.runAsync(() -> stopProcess(CONSOLE, "the console", STOP_GRACE)));
    CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    stopProcess(SANDBOX, "the sandbox Kubernetes API", Duration.ofSeconds(10));
    for (String registry : processes.known(REGISTRY)) {
      stopProcess(registry, "the OCI registry (" + registry + ")", Duration.ofSeconds(10));
    }
  }

  /** The services' URLs. */
  public PlatformClient.Endpoints endpoints() {
    return new PlatformClient.Endpoints(
        url(PlatformService.TRIGGER),
        url(PlatformService.BUILD),
        url(PlatformService.SCAN),
        url(PlatformService.DEPLOY),
        url(PlatformService.AUDIT));
  }

  /** {@code http://127.0.0.1:PORT} of {@code service}. */
  public String url(PlatformService service) {
    return "http://127.0.0.1:" + settings.ports().of(service);
  }

  /** The kubeconfig deploy-service deploys with: the sandbox's or the given cluster's. */
  public Path kubeconfig() {
    return settings.clusterKubeconfig();
  }

  /**
   * One process of the platform as it runs now.
   *
   * @param name e.g. {@code build-service}
   * @param port its port; 0 for none
   * @param pid its pid; empty when it is not running
   * @param readyAfter from launch to ready, when this launcher started it
   * @param quarkusStartedIn what Quarkus logged as its own start time (the last start)
   * @param residentMb its resident memory
   */
  public record ProcessReport(
      String name,
      int port,
      OptionalLong pid,
      Optional<Duration> readyAfter,
      Optional<String> quarkusStartedIn,
      OptionalLong residentMb) {}

  /** Each process: pid, start time and resident memory. */
  public List<ProcessReport> report() {
    List<ProcessReport> report = new ArrayList<>();
    for (PlatformService service : PlatformService.values()) {
      Optional<ProcessHandle> process = processes.running(service.module());
      report.add(
          new ProcessReport(
              service.module(),
              settings.ports().of(service),
              process.map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty()),
              Optional.ofNullable(startedIn.get(service)),
              quarkusStartedIn(service),
              process.map(ProcessRunner::residentMegabytes).orElse(OptionalLong.empty())));
    }
    Optional<ProcessHandle> sandbox = processes.running(SANDBOX);
    if (sandbox.isPresent()) {
      report.add(
          new ProcessReport(
              SANDBOX,
              settings.ports().sandbox(),
              OptionalLong.of(sandbox.get().pid()),
              Optional.empty(),
              Optional.empty(),
              ProcessRunner.residentMegabytes(sandbox.get())));
    }
    return report;
  }

  /** The report as a table. */
  public String reportTable() {
    StringBuilder table =
        new StringBuilder(
            String.format(
                "%-16s %-6s %-8s %-9s %-9s %s%n",
                "process", "port", "pid", "ready in", "Quarkus", "RSS"));
    for (ProcessReport process : report()) {
      table.append(
          String.format(
              "%-16s %-6s %-8s %-9s %-9s %s%n",
              process.name(),
              process.port(),
              process.pid().isPresent() ? String.valueOf(process.pid().getAsLong()) : "-",
              process
                  .readyAfter()
                  .map(d -> String.format("%.1fs", d.toMillis() / 1000.0))
                  .orElse("-"),
              process.quarkusStartedIn().map(s -> s + "s").orElse("-"),
              process.residentMb().isPresent()
                  ? process.residentMb().getAsLong() + " MB"
                  : "down"));
    }
    return table.toString();
  }

  private Optional<String> quarkusStartedIn(PlatformService service) {
    Path log = processes.log(service.module());
    try {
      if (!Files.exists(log)) {
        return Optional.empty();
      }
      String last = null;
      try (var lines = Files.lines(log)) {
        for (String line : (Iterable<String>) lines::iterator) {
          Matcher matcher = QUARKUS_STARTED.matcher(line);
          if (matcher.find()) {
            last = matcher.group(1);
          }
        }
      }
      return Optional.ofNullable(last);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private void createTopics() {
    int[] counts =
        KafkaTopics.ensure(
            settings.infrastructure().kafkaBootstrap(), settings.infrastructure().brokerSettings());
    say("Kafka topics: %d created, %d there already", counts[0], counts[1]);
  }

  /**
   * A checkpoint left from an audit store that no longer exists (a new PostgreSQL, {@code up
   * --reset}, a test run's fresh container) was signed over rows that are gone: compared with the
   * new, empty log it can only raise "history was rewritten" forever. It is moved aside, kept as
   * evidence, and the new log starts without one.
   */
  private void setAsideCheckpoint() {
    Path checkpoint = settings.layout().auditCheckpoint();
    if (!Files.exists(checkpoint)) {
      return;
    }
    Path aside =
        checkpoint.resolveSibling(
            "checkpoint.before-" + Instant.now().toString().replace(':', '-'));
    try {
      Files.move(checkpoint, aside);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    say("the audit database is new: the previous store's checkpoint moved to %s", aside);
  }

  private void prepareAuditStore() {
    new AuditStore(settings, secrets).prepare();
  }

  /** A loopback registry of this platform; another registry is someone else's to run. */
  private void startRegistry() {
    PlatformSettings.Registry registry = settings.registry();
    if (!registry.startLocally() || processes.running(REGISTRY).isPresent()) {
      return;
    }
    startRegistry(registry.address(), REGISTRY, settings.layout().registry());
  }

  /**
   * Starts the CNCF Distribution registry (Debian's {@code docker-registry}) on {@code address},
   * its storage in {@code dir} so images survive a restart; {@code ./slipway images} uses it too.
   */
  public void startRegistry(String address, String name, Path dir) {
    if (processes.running(name).isPresent()) {
      return;
    }
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    requireFreePort(port, "the OCI registry");
    Path config = dir.resolve("config.yml");
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.writeString(
          config,
          """
          version: 0.1
          log:
            level: warn
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: %s
          """
              .formatted(dir.resolve("data"), address));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    say("starting the OCI registry on %s (storage %s)", address, dir.resolve("data"));
    ProcessHandle process =
        processes.start(name, List.of("docker-registry", "serve", config.toString()), Map.of());
    await(
        "the OCI registry",
        process,
        () -> answers("http://" + address + "/v2/"),
        Duration.ofSeconds(30));
  }

  /**
   * The sandbox Kubernetes API (fabric8's mock server with the rollout simulator), unless a real
   * cluster's kubeconfig was given.
   */
  private void startSandbox() {
    if (settings.kubeconfig().isPresent()) {
      say("deploying to the cluster of %s (no sandbox)", settings.kubeconfig().get());
      return;
    }
    Path kubeconfig = settings.clusterKubeconfig();
    if (processes.running(SANDBOX).isPresent() && Files.exists(kubeconfig)) {
      return;
    }
    int port = settings.ports().sandbox();
    requireFreePort(port, "the sandbox Kubernetes API");
    try {
      Files.createDirectories(kubeconfig.getParent());
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--port",
                String.valueOf(port),
                "--kubeconfig-out",
                kubeconfig.toString(),
                "--registry-insecure",
                settings.registry().address()));
    settings
        .sandboxReadyAfter()
        .ifPresent(d -> args.addAll(List.of("--ready-after-ms", String.valueOf(d.toMillis()))));
    ProcessHandle process =
        processes.start(
            SANDBOX,
            ProcessRunner.java(
                settings.jvm().sandbox(),
                settings.layout().sandboxJar(),
                args.toArray(String[]::new)),
            ProcessRunner.withJvmEnvironment(Map.of()));
    timed(
        "the sandbox Kubernetes API on 127.0.0.1:" + port,
        () ->
            await(
                "the sandbox Kubernetes API",
                process,
                () -> size(kubeconfig) > 0 && answers("http://127.0.0.1:" + port + "/version"),
                settings.readyTimeout()));
  }

  /**
   * Stops {@code name}: SIGTERM, then SIGKILL after {@code grace}, or after {@link
   * #ARCHIVE_STOP_GRACE} for a JVM that writes its run class archive as it exits (the first run of
   * a build, {@link JvmOptions}): killing it then would throw the archive away, and every later run
   * would be a first run again.
   */
  private void stopProcess(String name, String what, Duration grace) {
    boolean archiving = processes.running(name).filter(JvmOptions::writesRunArchive).isPresent();
    Duration allowed = archiving ? ARCHIVE_STOP_GRACE : grace;
    Instant asked = Instant.now();
    switch (processes.stop(name, allowed)) {
      case STOPPED -> {
        if (archiving) {
          say(
              "stopped %s after %.1f s, its class archive written for later starts",
              what, Duration.between(asked, Instant.now()).toMillis() / 1000.0);
        } else {
          say("stopped %s", what);
        }
      }
      case KILLED ->
          say("%s did not stop within %d s: killed it (SIGKILL)", what, allowed.toSeconds());
      case NOT_RUNNING -> {}
    }
  }

  private void await(String what, ProcessHandle process, BooleanSupplier ready, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new PlatformException(
            what + ": the process exited; see " + processes.log(processName(what)));
      }
      if (Instant.now().isAfter(deadline)) {
        throw new PlatformException(
            what
                + ": not ready after "
                + timeout.toSeconds()
                + " s; see "
                + processes.log(processName(what)));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PlatformException("interrupted while waiting for " + what, e);
      }
    }
  }

  private static String processName(String what) {
    if (what.startsWith("the OCI registry")) {
      return REGISTRY;
    }
    if (what.startsWith("the sandbox")) {
      return SANDBOX;
    }
    return what;
  }

  private void timed(String what, Runnable step) {
    Instant begin = Instant.now();
    step.run();
    say("%s ready after %.1f s", what, Duration.between(begin, Instant.now()).toMillis() / 1000.0);
  }

  private boolean answers(String url) {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void requireFreePort(int port, String what) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
    } catch (IOException e) {
      return;
    }
    throw new PlatformException(
        "port "
            + port
            + ", needed by "
            + what
            + ", is taken (another ./slipway up? ./slipway down there, or stop it)");
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private void say(String format, Object... args) {
    out.println("[slipway] " + String.format(format, args));
  }
}

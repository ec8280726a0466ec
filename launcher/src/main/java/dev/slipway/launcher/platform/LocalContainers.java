package dev.slipway.launcher.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kafka and PostgreSQL of {@code ./slipway up}: containers (the docker CLI) on localhost:9092 and
 * localhost:5432, their data kept in the container for the next start. They belong to the state
 * folder: their names carry an id kept in it ({@code slipway-postgres-<id>}), so another checkout
 * (or a state folder deleted by hand) never meets this one's databases; a running one of another
 * folder is stopped (its state stays with it), one whose folder is gone is removed.
 */
public final class LocalContainers implements Infrastructure {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path state;

  /**
   * The local broker's heap: a laptop's platform keeps a few hundred small records per run, and the
   * heap starts small and is given back at rest ({@link JvmOptions#atRest}). Set when the container
   * is created ({@code ./slipway up --reset} recreates it).
   */
  static final String KAFKA_HEAP = "-Xmx192m -Xms16m";

  /**
   * The local broker's log cleaner's dedupe buffer, {@code log.cleaner.dedupe.buffer.size}: 16 MiB
   * (24 bytes a key: some 600,000 keys of a compacted topic per cleaning pass, the access policy's
   * topic has one) instead of Kafka's 128 MiB, which the cleaner allocates on the heap when it
   * starts whether anything is compacted or not: it was most of the broker's heap at rest (173 MB
   * live after a full collection, 151 MB of it byte arrays). A dynamic broker setting, stored in
   * the cluster's metadata: set at every start with the topics (Platform), so a container created
   * before it gets it too. The cluster install's brokers (k8s/components/kafka) keep Kafka's
   * default.
   */
  static final long KAFKA_CLEANER_DEDUPE_BUFFER = 16L << 20;

  private final String kafkaImage;
  private final String postgresImage;
  private final String password;
  private final PrintStream out;
  private final String postgresName;
  private final String kafkaName;

  /**
   * @param state the state folder
   * @param kafkaImage e.g. {@code apache/kafka:4.1.2}, or its local equivalent
   * @param postgresImage e.g. {@code postgres:15}
   * @param password the {@code slipway} superuser's password
   * @param out where progress lines go
   */
  public LocalContainers(
      Path state, String kafkaImage, String postgresImage, String password, PrintStream out) {
    this.state = state.toAbsolutePath().normalize();
    this.kafkaImage = kafkaImage;
    this.postgresImage = postgresImage;
    this.password = password;
    this.out = out;
    String instance = instanceId();
    this.postgresName = "slipway-postgres-" + instance;
    this.kafkaName = "slipway-kafka-" + instance;
  }

  @Override
  public String kafkaBootstrap() {
    return "localhost:9092";
  }

  @Override
  public Postgres postgres() {
    return new Postgres("localhost", 5432, "slipway", password);
  }

  /** The local broker's cleaner buffer ({@link #KAFKA_CLEANER_DEDUPE_BUFFER}). */
  @Override
  public Map<String, String> brokerSettings() {
    return Map.of("log.cleaner.dedupe.buffer.size", String.valueOf(KAFKA_CLEANER_DEDUPE_BUFFER));
  }

  /** Starts both containers (creating them the first time) and waits until both answer. */
  public void start() {
    releaseForeignContainers();
    startOrCreate(
        postgresName,
        "PostgreSQL",
        List.of(
            "-p",
            "127.0.0.1:5432:5432",
            "-e",
            "POSTGRES_USER=slipway",
            "-e",
            "POSTGRES_PASSWORD=" + password,
            "-e",
            "POSTGRES_DB=slipway",
            postgresImage),
        "localhost:5432");
    startOrCreate(
        kafkaName,
        "Kafka",
        List.of(
            "-p",
            "127.0.0.1:9092:9092",
            "-e",
            "KAFKA_NODE_ID=1",
            "-e",
            "KAFKA_PROCESS_ROLES=broker,controller",
            "-e",
            "KAFKA_LISTENERS=PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093",
            "-e",
            "KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://localhost:9092",
            "-e",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "-e",
            "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER",
            "-e",
            "KAFKA_CONTROLLER_QUORUM_VOTERS=1@localhost:9093",
            "-e",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1",
            "-e",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1",
            "-e",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1",
            "-e",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0",
            "-e",
            "KAFKA_NUM_PARTITIONS=3",
            "-e",
            "CLUSTER_ID=c2xpcHdheS1sb2NhbC0x",
            "-e",
            "KAFKA_HEAP_OPTS=" + KAFKA_HEAP,
            "-e",
            "KAFKA_OPTS=" + String.join(" ", JvmOptions.atRest()),
            "-e",
            "MALLOC_ARENA_MAX=" + JvmOptions.ENVIRONMENT.get("MALLOC_ARENA_MAX"),
            kafkaImage),
        "localhost:9092");
    Instant begin = Instant.now();
    await(
        "PostgreSQL",
        () ->
            docker("exec", postgresName, "pg_isready", "-q", "-h", "127.0.0.1", "-U", "slipway")
                    .exit()
                == 0);
    say("PostgreSQL ready after %.1f s", seconds(begin));
    await("Kafka", () -> listening(9092));
    say("Kafka ready after %.1f s", seconds(begin));
  }

  /** Stops both containers; their data stays for the next start. */
  public void stop() {
    List<String> running = new ArrayList<>();
    for (String name : List.of(kafkaName, postgresName)) {
      if (running(name)) {
        running.add(name);
      }
    }
    if (!running.isEmpty()) {
      List<String> command = new ArrayList<>(List.of("stop", "-t", "20"));
      command.addAll(running);
      docker(command.toArray(String[]::new));
      say(
          "stopped the Kafka and PostgreSQL containers (state kept; ./slipway up --reset starts afresh)");
    }
  }

  /** Removes both containers and their data. */
  public void remove() {
    docker("rm", "-f", kafkaName, postgresName);
  }

  /** Whether the docker CLI answers at all (a machine without Docker has nothing to stop). */
  public static boolean dockerAvailable() {
    try {
      return run(List.of("docker", "info"), Duration.ofSeconds(20)).exit() == 0;
    } catch (PlatformException e) {
      return false;
    }
  }

  private void startOrCreate(String name, String what, List<String> runArgs, String address) {
    if (running(name)) {
      return;
    }
    if (docker("inspect", name).exit() == 0) {
      say("starting the %s container again (state kept)", what);
      check(docker("start", name), "start " + name);
      return;
    }
    say("starting %s (%s) on %s", what, runArgs.get(runArgs.size() - 1), address);
    List<String> command =
        new ArrayList<>(
            List.of("run", "-d", "--name", name, "--label", "dev.slipway.state=" + state));
    command.addAll(runArgs);
    check(docker(command.toArray(String[]::new)), "run " + name);
  }

  /**
   * Containers of another state folder hold the same ports: a running one is stopped, one whose
   * state folder is gone (or from before containers carried the folder's id) is removed.
   */
  private void releaseForeignContainers() {
    Result list =
        docker(
            "ps",
            "-a",
            "--filter",
            "name=^slipway-(postgres|kafka)",
            "--format",
            "{{.Names}} {{.Label \"dev.slipway.state\"}}");
    for (String line : list.stdout().split("\n")) {
      String[] fields = line.trim().split(" ", 2);
      String name = fields[0];
      if (name.isEmpty() || name.equals(postgresName) || name.equals(kafkaName)) {
        continue;
      }
      String owner = fields.length > 1 ? fields[1].trim() : "";
      Path ownerId =
          owner.isEmpty() || owner.equals("<no value>") ? null : Path.of(owner, "instance-id");
      if (ownerId != null && name.endsWith("-" + read(ownerId))) {
        if (running(name)) {
          say(
              "stopping %s of %s: it holds the ports (./slipway up there starts it again)",
              name, owner);
          docker("stop", "-t", "20", name);
        }
      } else {
        say("removing %s: the state folder it belonged to is gone", name);
        docker("rm", "-f", name);
      }
    }
  }

  private boolean running(String name) {
    Result inspect = docker("inspect", "-f", "{{.State.Running}}", name);
    return inspect.exit() == 0 && inspect.stdout().trim().equals("true");
  }

  private String instanceId() {
    Path file = state.resolve("instance-id");
    try {
      if (!Files.exists(file) || Files.size(file) == 0) {
        Files.createDirectories(state);
        byte[] id = new byte[4];
        new SecureRandom().nextBytes(id);
        Files.writeString(file, HexFormat.of().formatHex(id));
      }
      return read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void await(String what, java.util.function.BooleanSupplier ready) {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (!ready.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new PlatformException(
            what + ": not ready after " + READY_TIMEOUT.toSeconds() + " s (docker logs it)");
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PlatformException("interrupted while waiting for " + what, e);
      }
    }
  }

  private static void check(Result result, String what) {
    if (result.exit() != 0) {
      throw new PlatformException("docker " + what + " failed: " + result.stderr().trim());
    }
  }

  private static Result docker(String... args) {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    return run(command, Duration.ofSeconds(60));
  }

  /**
   * What a command printed and how it exited.
   *
   * @param exit its exit status
   * @param stdout its standard output
   * @param stderr its standard error
   */
  record Result(int exit, String stdout, String stderr) {}

  private static Result run(List<String> command, Duration timeout) {
    Path errors = null;
    try {
      errors = Files.createTempFile("slipway-docker", ".err");
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectError(errors.toFile())
              .start();
      byte[] stdout = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new PlatformException(String.join(" ", command) + ": no answer within " + timeout);
      }
      return new Result(
          process.exitValue(),
          new String(stdout, StandardCharsets.UTF_8),
          Files.readString(errors, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new PlatformException(
          "cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlatformException("interrupted: " + String.join(" ", command), e);
    } finally {
      if (errors != null) {
        try {
          Files.deleteIfExists(errors);
        } catch (IOException e) {
          // a temporary file left behind
        }
      }
    }
  }

  private static double seconds(Instant since) {
    return Duration.between(since, Instant.now()).toMillis() / 1000.0;
  }

  private void say(String format, Object... args) {
    out.println("[slipway] " + String.format(format, args));
  }
}

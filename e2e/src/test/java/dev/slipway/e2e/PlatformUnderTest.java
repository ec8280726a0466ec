package dev.slipway.e2e;

import dev.slipway.launcher.AuditKeyCommand;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The whole platform as separate processes, the way {@code ./slipway up} runs it: the five
 * services' packaged jars and the sandbox Kubernetes API, against the real Kafka broker and
 * PostgreSQL server of {@link SlipwayInfrastructure} and a real registry ({@link OciRegistry}).
 * Each process logs to {@code target/e2e/<name>.log}; a service can be killed (SIGKILL) and started
 * again on the same port.
 */
final class PlatformUnderTest implements AutoCloseable {

  static final List<String> SERVICES =
      List.of(
          "trigger-service", "build-service", "scan-service", "deploy-service", "audit-service");

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  /** The key trigger-service encrypts webhook secrets with: 32 random bytes per test run. */
  private static final String TRIGGER_SECRET_KEY = randomKey();

  private static final String AUDIT_MIGRATOR_PASSWORD = randomKey();
  private static final String AUDIT_APP_PASSWORD = randomKey();

  private final Path top = Path.of("..").toAbsolutePath().normalize();
  private final Path work = Path.of("target", "e2e").toAbsolutePath();
  private final Map<String, Integer> ports = new LinkedHashMap<>();
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path kubeconfig;
  private String auditCheckpointKey;

  /** Starts everything and waits until every service is ready. */
  static PlatformUnderTest start() {
    PlatformUnderTest platform = new PlatformUnderTest();
    try {
      platform.startAll();
      return platform;
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    }
  }

  private void startAll() {
    try {
      Files.createDirectories(work.resolve("git"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    createDatabases();
    prepareAuditStore();
    String registry = OciRegistry.address();
    startSandbox(registry);
    for (String service : SERVICES) {
      ports.put(service, freePort());
      processes.put(service, launch(service));
    }
    SERVICES.forEach(this::awaitReady);
  }

  /** Where the demo's repositories go: build-service may clone {@code file://} URLs only there. */
  Path gitRoot() {
    return work.resolve("git");
  }

  /** The kubeconfig of the sandbox cluster deploy-service deploys to. */
  Path kubeconfig() {
    return kubeconfig;
  }

  /** The services' URLs. */
  PlatformClient.Endpoints endpoints() {
    return new PlatformClient.Endpoints(
        url("trigger-service"),
        url("build-service"),
        url("scan-service"),
        url("deploy-service"),
        url("audit-service"));
  }

  /** Kills {@code service} at once (SIGKILL: no shutdown hook runs) and waits until it is gone. */
  void kill(String service) {
    Process process = processes.get(service);
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts {@code service} again on its port and waits until it is ready. */
  void restart(String service) {
    processes.put(service, launch(service));
    awaitReady(service);
  }

  /** The resident memory of every process, in MB. */
  Map<String, Long> residentMegabytes() {
    Map<String, Long> rss = new LinkedHashMap<>();
    processes.forEach(
        (name, process) -> {
          try {
            for (String line : Files.readAllLines(Path.of("/proc", process.pid() + "", "status"))) {
              if (line.startsWith("VmRSS:")) {
                rss.put(name, Long.parseLong(line.replaceAll("\\D", "")) / 1024);
              }
            }
          } catch (IOException e) {
            rss.put(name, -1L);
          }
        });
    return rss;
  }

  @Override
  public void close() {
    processes.values().forEach(Process::destroy);
    for (Process process : processes.values()) {
      try {
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void startSandbox(String registry) {
    kubeconfig = work.resolve("kubeconfig");
    try {
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command =
        List.of(
            "java",
            "-jar",
            top.resolve("k8s-sandbox/target/k8s-sandbox.jar").toString(),
            "--port",
            String.valueOf(freePort()),
            "--kubeconfig-out",
            kubeconfig.toString(),
            "--registry-insecure",
            registry,
            "--ready-after-ms",
            "300");
    processes.put("k8s-sandbox", run(command, Map.of(), "k8s-sandbox"));
    await("the sandbox's kubeconfig", () -> Files.exists(kubeconfig) && size(kubeconfig) > 0);
  }

  private Process launch(String service) {
    Map<String, String> env = new LinkedHashMap<>(common(service));
    env.putAll(settingsOf(service));
    return run(
        List.of(
            "java",
            "-Xmx384m",
            "-jar",
            top.resolve(service + "/target/quarkus-app/quarkus-run.jar").toString()),
        env,
        service);
  }

  private Map<String, String> common(String service) {
    PostgreSQLContainer postgres = SlipwayInfrastructure.postgres();
    String hostPort = postgres.getHost() + ":" + postgres.getMappedPort(5432);
    String db = database(service);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", String.valueOf(ports.get(service)));
    env.put("KAFKA_BOOTSTRAP_SERVERS", SlipwayInfrastructure.bootstrapServers());
    env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://" + hostPort + "/" + db);
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + hostPort + "/" + db);
    env.put("QUARKUS_DATASOURCE_USERNAME", postgres.getUsername());
    env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.getPassword());
    env.put("SLIPWAY_JWT_PUBLIC_KEY", TestTokens.publicKeyLocation());
    return env;
  }

  /** What each service needs beyond Kafka, its database and the token key (as ./slipway up). */
  private Map<String, String> settingsOf(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    switch (service) {
      case "trigger-service" -> env.put("SLIPWAY_TRIGGER_SECRET_KEY", TRIGGER_SECRET_KEY);
      case "build-service" -> {
        env.put("SLIPWAY_BUILD_REGISTRY_ADDRESS", OciRegistry.address());
        env.put("SLIPWAY_BUILD_SOURCE_ALLOWED_FILE_ROOTS", gitRoot().toString());
        env.put("SLIPWAY_BUILD_DIR", work.resolve("build").toString());
        env.put("SLIPWAY_BUILD_BUILDAH_ROOT", work.resolve("build/buildah/root").toString());
        env.put("SLIPWAY_BUILD_BUILDAH_RUNROOT", work.resolve("build/buildah/run").toString());
      }
      case "scan-service" ->
          env.put("SLIPWAY_SCAN_ADVISORIES_DIRECTORY", top.resolve("infra/advisories").toString());
      case "deploy-service" -> {
        env.put("SLIPWAY_DEPLOY_CLUSTERS_LOCAL_KUBECONFIG", kubeconfig.toString());
        env.put("SLIPWAY_DEPLOY_CLUSTERS_LOCAL_CREATE_NAMESPACES", "true");
      }
      case "audit-service" -> {
        env.put("QUARKUS_DATASOURCE_USERNAME", "slipway_audit_app");
        env.put("QUARKUS_DATASOURCE_PASSWORD", AUDIT_APP_PASSWORD);
        env.put("SLIPWAY_AUDIT_CHECKPOINT_KEY", auditCheckpointKey);
        env.put("SLIPWAY_AUDIT_CHECKPOINT_FILE", work.resolve("audit/checkpoint").toString());
      }
      default -> {}
    }
    return env;
  }

  /**
   * What {@code ./slipway up} does before audit-service starts: the database administrator's
   * bootstrap (roles and the DDL guard), the checkpoint key, and the one-shot migration as the
   * migrator role, so the running service holds only its append-and-read role.
   */
  private void prepareAuditStore() {
    PostgreSQLContainer postgres = SlipwayInfrastructure.postgres();
    String hostPort = postgres.getHost() + ":" + postgres.getMappedPort(5432);
    String jdbc = "jdbc:postgresql://" + hostPort + "/slipway_audit";
    try (Connection admin =
            DriverManager.getConnection(jdbc, postgres.getUsername(), postgres.getPassword());
        Statement sql = admin.createStatement()) {
      sql.execute(
          Files.readString(top.resolve("audit-service/src/main/resources/db/admin/bootstrap.sql")));
      sql.execute("ALTER ROLE slipway_audit_migrator PASSWORD '" + AUDIT_MIGRATOR_PASSWORD + "'");
      sql.execute("ALTER ROLE slipway_audit_app PASSWORD '" + AUDIT_APP_PASSWORD + "'");
      AuditKeyCommand.ensure(work.resolve("audit"), "slipway.dev/audit");
      auditCheckpointKey = Files.readString(work.resolve("audit/checkpoint-key")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("the audit store's bootstrap failed", e);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_INIT_AND_EXIT", "true");
    env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "true");
    env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbc);
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + hostPort + "/slipway_audit");
    env.put("QUARKUS_FLYWAY_USERNAME", "slipway_audit_migrator");
    env.put("QUARKUS_FLYWAY_PASSWORD", AUDIT_MIGRATOR_PASSWORD);
    env.put("MP_MESSAGING_INCOMING_AUDIT_IN_ENABLED", "false");
    env.put("KAFKA_BOOTSTRAP_SERVERS", SlipwayInfrastructure.bootstrapServers());
    env.put("SLIPWAY_JWT_PUBLIC_KEY", TestTokens.publicKeyLocation());
    Process migration =
        run(
            List.of(
                "java",
                "-jar",
                top.resolve("audit-service/target/quarkus-app/quarkus-run.jar").toString()),
            env,
            "audit-migrate");
    try {
      if (!migration.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)
          || migration.exitValue() != 0) {
        migration.destroyForcibly();
        throw new IllegalStateException(
            "the audit store's migration failed, see " + work.resolve("audit-migrate.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Process run(List<String> command, Map<String, String> env, String name) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    Path log = work.resolve(name + ".log");
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private void awaitReady(String service) {
    Process process = processes.get(service);
    await(
        service + " ready (log: " + work.resolve(service + ".log") + ")",
        () -> {
          if (!process.isAlive()) {
            throw new IllegalStateException(
                service + " exited with " + process.exitValue() + ", see its log in " + work);
          }
          return ready(service);
        });
  }

  private boolean ready(String service) {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(url(service) + "/q/health/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
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

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private void createDatabases() {
    PostgreSQLContainer postgres = SlipwayInfrastructure.postgres();
    try (Connection connection =
            DriverManager.getConnection(
                postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
        Statement statement = connection.createStatement()) {
      List<String> existing = new ArrayList<>();
      try (var rows = statement.executeQuery("SELECT datname FROM pg_database")) {
        while (rows.next()) {
          existing.add(rows.getString(1));
        }
      }
      for (String service : SERVICES) {
        if (!existing.contains(database(service))) {
          statement.execute("CREATE DATABASE " + database(service));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the services' databases", e);
    }
  }

  private static String database(String service) {
    return "slipway_" + service.replace("-service", "");
  }

  private String url(String service) {
    return "http://127.0.0.1:" + ports.get(service);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

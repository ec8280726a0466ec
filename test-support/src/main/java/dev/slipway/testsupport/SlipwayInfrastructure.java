package dev.slipway.testsupport;

import static java.util.concurrent.TimeUnit.SECONDS;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.slipway.events.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The real Kafka broker and PostgreSQL server of one test JVM, started together on first use
 * through Testcontainers and shared by every test of the module. On a machine that reaches Docker
 * Hub the official images run; elsewhere {@code ./slipway test} builds equivalent local images and
 * names them in {@code SLIPWAY_TEST_KAFKA_IMAGE} and {@code SLIPWAY_TEST_POSTGRES_IMAGE}.
 *
 * <p>Both containers bind a fixed host port so a test can stop and start them (the database going
 * away, the broker being unreachable) and the application reconnects to the same address.
 *
 * <p>One JVM loads this class more than once: Quarkus loads the test classes of each test profile
 * in a class loader of their own, and plain JUnit tests (a migration test, say) in another. Static
 * fields would give each loader its own containers, so what identifies the running containers is
 * kept JVM-wide, in system properties, and every copy of this class hands out the same broker and
 * server. The containers are removed when the JVM exits.
 */
public final class SlipwayInfrastructure {

  /** Partitions of every pre-created topic; partitions are the unit of consumer parallelism. */
  public static final int PARTITIONS = 3;

  private static final String OFFICIAL_KAFKA = "apache/kafka:4.1.2";
  private static final String OFFICIAL_POSTGRES = "postgres:15";

  private static final String DATABASE = "slipway";
  private static final String USERNAME = "slipway";
  private static final String PASSWORD = "slipway-test";

  // The JVM-wide record of the running containers; STARTED is written last.
  private static final String KAFKA_CONTAINER = "slipway.test.kafka.container";
  private static final String KAFKA_BOOTSTRAP = "slipway.test.kafka.bootstrap";
  private static final String POSTGRES_CONTAINER = "slipway.test.postgres.container";
  private static final String POSTGRES_HOST = "slipway.test.postgres.host";
  private static final String POSTGRES_PORT = "slipway.test.postgres.port";
  private static final String STARTED = "slipway.test.infrastructure.started";

  /**
   * The lock of the first start, for the whole JVM: a string literal is one interned object however
   * many class loaders load this class, where the class's own monitor is one per loader.
   */
  private static final String JVM_WIDE_LOCK = "dev.slipway.testsupport.SlipwayInfrastructure";

  private SlipwayInfrastructure() {}

  /** The shared broker, started with every Slipway topic and its dead-letter topic created. */
  public static KafkaBroker kafka() {
    started();
    return new KafkaBroker(
        System.getProperty(KAFKA_CONTAINER), System.getProperty(KAFKA_BOOTSTRAP));
  }

  /** The shared PostgreSQL server. */
  public static PostgresServer postgres() {
    started();
    return new PostgresServer(
        System.getProperty(POSTGRES_CONTAINER),
        System.getProperty(POSTGRES_HOST),
        Integer.parseInt(System.getProperty(POSTGRES_PORT)));
  }

  /** Bootstrap servers of the shared broker, as seen from the test JVM. */
  public static String bootstrapServers() {
    return kafka().bootstrapServers();
  }

  /** The shared Kafka broker as a test reaches it: its container and its bootstrap servers. */
  public record KafkaBroker(String containerId, String bootstrapServers) {}

  /**
   * The shared PostgreSQL server as a test reaches it: its container and the host port of its 5432,
   * serving the database {@code slipway} owned by the user {@code slipway}.
   */
  public record PostgresServer(String containerId, String host, int port) {

    /** The JDBC URL of the database. */
    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE + "?loggerLevel=OFF";
    }

    /** The name of the database. */
    public String database() {
      return DATABASE;
    }

    /** The database's owner. */
    public String username() {
      return USERNAME;
    }

    /** The owner's password. */
    public String password() {
      return PASSWORD;
    }

    /** A new JDBC connection to the database, as its owner. */
    public Connection connect() throws SQLException {
      PGSimpleDataSource source = new PGSimpleDataSource();
      source.setUrl(jdbcUrl());
      return source.getConnection(USERNAME, PASSWORD);
    }
  }

  /**
   * Starts both containers the first time any copy of this class asks, PostgreSQL on a thread of
   * its own while Kafka starts on this one, and records them JVM-wide.
   */
  private static void started() {
    if (System.getProperty(STARTED) != null) {
      return;
    }
    synchronized (JVM_WIDE_LOCK) {
      if (System.getProperty(STARTED) != null) {
        return;
      }
      CompletableFuture<PostgreSQLContainer> postgres = new CompletableFuture<>();
      Thread starter =
          new Thread(
              () -> {
                try {
                  postgres.complete(startPostgresContainer());
                } catch (Throwable e) {
                  postgres.completeExceptionally(e);
                }
              },
              "slipway-postgres-start");
      starter.start();
      KafkaContainer kafka;
      try {
        kafka = startKafkaContainer();
      } finally {
        // Whatever happened to the broker, PostgreSQL's start is not left running behind.
        awaitQuietly(postgres);
      }
      PostgreSQLContainer server = postgres.join();
      System.setProperty(KAFKA_CONTAINER, kafka.getContainerId());
      System.setProperty(KAFKA_BOOTSTRAP, kafka.getBootstrapServers());
      System.setProperty(POSTGRES_CONTAINER, server.getContainerId());
      System.setProperty(POSTGRES_HOST, server.getHost());
      System.setProperty(POSTGRES_PORT, String.valueOf(server.getMappedPort(5432)));
      System.setProperty(STARTED, "true");
    }
  }

  private static KafkaContainer startKafkaContainer() {
    DockerImageName image =
        DockerImageName.parse(setting("SLIPWAY_TEST_KAFKA_IMAGE", OFFICIAL_KAFKA))
            .asCompatibleSubstituteFor("apache/kafka");
    KafkaContainer container = new KafkaContainer(image);
    bindFixedPort(container, 9092);
    container.start();
    createTopics(container.getBootstrapServers(), allTopics());
    return container;
  }

  private static PostgreSQLContainer startPostgresContainer() {
    DockerImageName image =
        DockerImageName.parse(setting("SLIPWAY_TEST_POSTGRES_IMAGE", OFFICIAL_POSTGRES))
            .asCompatibleSubstituteFor("postgres");
    PostgreSQLContainer container =
        new PostgreSQLContainer(image)
            .withDatabaseName(DATABASE)
            .withUsername(USERNAME)
            .withPassword(PASSWORD);
    bindFixedPort(container, 5432);
    container.start();
    return container;
  }

  private static void awaitQuietly(CompletableFuture<?> future) {
    try {
      future.handle((value, failure) -> null).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while PostgreSQL started", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the PostgreSQL server; its data and address survive for {@link #startPostgres()}. */
  public static void stopPostgres() {
    // PostgreSQL's fast shutdown (pg_ctl -m fast, what the official image's SIGINT stop signal
    // does): it disconnects its clients and stops within a second, and the container with it.
    // Docker's SIGTERM is the smart shutdown, which waits for every client to leave: with a
    // service's pool connected, until docker kills it 10 s later.
    String id = postgres().containerId();
    String exec =
        docker()
            .execCreateCmd(id)
            .withUser("postgres")
            .withCmd("sh", "-c", "pg_ctl -D \"$PGDATA\" -m fast -w stop")
            .exec()
            .getId();
    try {
      docker().execStartCmd(exec).exec(new ResultCallback.Adapter<>()).awaitCompletion(30, SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping PostgreSQL", e);
    }
    docker()
        .waitContainerCmd(id)
        .exec(new WaitContainerResultCallback())
        .awaitStatusCode(30, SECONDS);
  }

  /**
   * Starts the PostgreSQL server stopped by {@link #stopPostgres()} on the same host port. Its
   * address on Docker's bridge may change (see {@link #postgresBridgeAddress()}).
   */
  public static void startPostgres() {
    docker().startContainerCmd(postgres().containerId()).exec();
  }

  /**
   * The PostgreSQL container's address on Docker's bridge, read now. Testcontainers keeps the one
   * it had when it started, but a container stopped and started again ({@link #stopPostgres()}, as
   * every readiness test does) gets the lowest free address: another one when another container (of
   * a module tested alongside under {@code mvnw -T 2}) came or went while it was stopped.
   */
  public static String postgresBridgeAddress() {
    return docker()
        .inspectContainerCmd(postgres().containerId())
        .exec()
        .getNetworkSettings()
        .getNetworks()
        .values()
        .iterator()
        .next()
        .getIpAddress();
  }

  /** Freezes the PostgreSQL server: connections stay open, no query is answered. */
  public static void pausePostgres() {
    docker().pauseContainerCmd(postgres().containerId()).exec();
  }

  /** Lets a server frozen by {@link #pausePostgres()} answer again. */
  public static void unpausePostgres() {
    docker().unpauseContainerCmd(postgres().containerId()).exec();
  }

  /**
   * Stops the broker (SIGTERM, as an orchestrator would) and starts it again on the same address
   * with its data; returns once it answers again.
   */
  public static void restartKafka() {
    docker().stopContainerCmd(kafka().containerId()).withTimeout(30).exec();
    docker().startContainerCmd(kafka().containerId()).exec();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Admin admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrapServers(),
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                  4000,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                  5000))) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        admin.listTopics().names().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the broker did not come back within 60 s", e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Freezes the broker: connections stay open, nothing is answered. */
  public static void pauseKafka() {
    docker().pauseContainerCmd(kafka().containerId()).exec();
  }

  /** Lets a broker frozen by {@link #pauseKafka()} answer again. */
  public static void unpauseKafka() {
    docker().unpauseContainerCmd(kafka().containerId()).exec();
  }

  /** Creates topics on the shared broker; existing ones are left alone. */
  public static void createTopics(List<String> names) {
    createTopics(bootstrapServers(), names);
  }

  private static void createTopics(String bootstrapServers, List<String> names) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          names.stream()
              .filter(name -> !existing.contains(name))
              .map(name -> new NewTopic(name, PARTITIONS, (short) 1))
              .toList();
      List<NewTopic> all = new ArrayList<>(missing);
      if (names.contains(Topics.ACCESS_POLICY) && !existing.contains(Topics.ACCESS_POLICY)) {
        all.removeIf(topic -> topic.name().equals(Topics.ACCESS_POLICY));
        all.add(
            new NewTopic(Topics.ACCESS_POLICY, 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")));
      }
      admin.createTopics(all).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics " + names, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> allTopics() {
    List<String> names = new ArrayList<>(Topics.ALL);
    Topics.ALL.forEach(topic -> names.add(Topics.dlq(topic)));
    names.add(Topics.ACCESS_POLICY);
    return names;
  }

  private static void bindFixedPort(GenericContainer<?> container, int containerPort) {
    int hostPort = freePort();
    container.withCreateContainerCmdModifier(
        cmd ->
            cmd.getHostConfig()
                .withPortBindings(
                    new PortBinding(
                        Ports.Binding.bindPort(hostPort), new ExposedPort(containerPort))));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  private static String setting(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The real Kafka broker and PostgreSQL server of one test JVM, started on first use through
 * Testcontainers and shared by every test of the module. On a machine that reaches Docker Hub the
 * official images run; elsewhere {@code ./slipway test} builds equivalent local images and names
 * them in {@code SLIPWAY_TEST_KAFKA_IMAGE} and {@code SLIPWAY_TEST_POSTGRES_IMAGE}.
 *
 * <p>Both containers bind a fixed host port so a test can stop and start them (the database going
 * away, the broker being unreachable) and the application reconnects to the same address.
 */
public final class SlipwayInfrastructure {

  /** Partitions of every pre-created topic; partitions are the unit of consumer parallelism. */
  public static final int PARTITIONS = 3;

  private static final String OFFICIAL_KAFKA = "apache/kafka:4.1.2";
  private static final String OFFICIAL_POSTGRES = "postgres:15";

  private static KafkaContainer kafka;
  private static PostgreSQLContainer postgres;

  private SlipwayInfrastructure() {}

  /** The shared broker, started with every Slipway topic and its dead-letter topic created. */
  public static synchronized KafkaContainer kafka() {
    if (kafka == null) {
      DockerImageName image =
          DockerImageName.parse(setting("SLIPWAY_TEST_KAFKA_IMAGE", OFFICIAL_KAFKA))
              .asCompatibleSubstituteFor("apache/kafka");
      KafkaContainer container = new KafkaContainer(image);
      bindFixedPort(container, 9092);
      container.start();
      kafka = container;
      createTopics(allTopics());
    }
    return kafka;
  }

  /** The shared PostgreSQL server. */
  public static synchronized PostgreSQLContainer postgres() {
    if (postgres == null) {
      DockerImageName image =
          DockerImageName.parse(setting("SLIPWAY_TEST_POSTGRES_IMAGE", OFFICIAL_POSTGRES))
              .asCompatibleSubstituteFor("postgres");
      PostgreSQLContainer container =
          new PostgreSQLContainer(image)
              .withDatabaseName("slipway")
              .withUsername("slipway")
              .withPassword("slipway-test");
      bindFixedPort(container, 5432);
      container.start();
      postgres = container;
    }
    return postgres;
  }

  /** Bootstrap servers of the shared broker, as seen from the test JVM. */
  public static String bootstrapServers() {
    return kafka().getBootstrapServers();
  }

  /** Stops the PostgreSQL server; its data and address survive for {@link #startPostgres()}. */
  public static void stopPostgres() {
    // PostgreSQL's fast shutdown (pg_ctl -m fast, what the official image's SIGINT stop signal
    // does): it disconnects its clients and stops within a second, and the container with it.
    // Docker's SIGTERM is the smart shutdown, which waits for every client to leave: with a
    // service's pool connected, until docker kills it 10 s later.
    String id = postgres().getContainerId();
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
    docker().startContainerCmd(postgres().getContainerId()).exec();
  }

  /**
   * The PostgreSQL container's address on Docker's bridge, read now. Testcontainers keeps the one
   * it had when it started, but a container stopped and started again ({@link #stopPostgres()}, as
   * every readiness test does) gets the lowest free address: another one when another container (of
   * a module tested alongside under {@code mvnw -T 2}) came or went while it was stopped.
   */
  public static String postgresBridgeAddress() {
    return docker()
        .inspectContainerCmd(postgres().getContainerId())
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
    docker().pauseContainerCmd(postgres().getContainerId()).exec();
  }

  /** Lets a server frozen by {@link #pausePostgres()} answer again. */
  public static void unpausePostgres() {
    docker().unpauseContainerCmd(postgres().getContainerId()).exec();
  }

  /**
   * Stops the broker (SIGTERM, as an orchestrator would) and starts it again on the same address
   * with its data; returns once it answers again.
   */
  public static void restartKafka() {
    docker().stopContainerCmd(kafka().getContainerId()).withTimeout(30).exec();
    docker().startContainerCmd(kafka().getContainerId()).exec();
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
    docker().pauseContainerCmd(kafka().getContainerId()).exec();
  }

  /** Lets a broker frozen by {@link #pauseKafka()} answer again. */
  public static void unpauseKafka() {
    docker().unpauseContainerCmd(kafka().getContainerId()).exec();
  }

  /** Creates topics on the shared broker; existing ones are left alone. */
  public static void createTopics(List<String> names) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
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

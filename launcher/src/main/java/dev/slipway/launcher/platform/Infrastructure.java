package dev.slipway.launcher.platform;

import java.util.Map;

/**
 * The Kafka broker and PostgreSQL server a platform runs against: containers of the state folder
 * for {@code ./slipway up} ({@link LocalContainers}), Testcontainers' in the end-to-end tests.
 */
public interface Infrastructure {

  /** Kafka's bootstrap servers as the services reach them. */
  String kafkaBootstrap();

  /** The PostgreSQL server and its administrator (who creates databases and roles). */
  Postgres postgres();

  /**
   * Dynamic broker settings the platform sets as the cluster's defaults when it creates its topics
   * ({@link KafkaTopics#ensure}); none unless the broker is the platform's own.
   */
  default Map<String, String> brokerSettings() {
    return Map.of();
  }

  /**
   * A PostgreSQL server.
   *
   * @param host as the services reach it
   * @param port as the services reach it
   * @param user a superuser: creates the services' databases, runs the audit store's bootstrap
   * @param password the superuser's password
   */
  record Postgres(String host, int port, String user, String password) {

    /** The JDBC URL of {@code database}. */
    public String jdbcUrl(String database) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The Vert.x reactive client's URL of {@code database}. */
    public String reactiveUrl(String database) {
      return "postgresql://" + host + ":" + port + "/" + database;
    }
  }
}

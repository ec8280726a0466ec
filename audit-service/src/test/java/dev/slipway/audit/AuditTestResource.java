package dev.slipway.audit;

import dev.slipway.audit.checkpoint.SignedNote;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared real broker and database, set up as production is: the database administrator's
 * bootstrap (roles and DDL guard) runs as the superuser, Flyway migrates as the migrator (SET ROLE
 * owner), the service connects as its own restricted role and signs checkpoints with a key made for
 * this run. A stand-in pipeline consumer dead-letters records it cannot read, as every Slipway
 * consumer does.
 */
public class AuditTestResource extends SlipwayTestResource {

  /** The role the service connects as; the migrations grant it SELECT and INSERT only. */
  public static final String APP_ROLE = "slipway_audit_app";

  /** Its password, for tests that connect as it. */
  public static final String APP_PASSWORD = "audit-app-test-only";

  /** The role migrations log in as, a member of the NOLOGIN owner. */
  public static final String MIGRATOR_ROLE = "slipway_audit_migrator";

  /** Its password. */
  public static final String MIGRATOR_PASSWORD = "audit-migrator-test-only";

  /** The NOLOGIN role that owns the audit tables. */
  public static final String OWNER_ROLE = "slipway_audit_owner";

  /** The checkpoint signing key of this test run. */
  public static final String SIGNING_KEY = SignedNote.newPrivateKey("slipway.dev/audit");

  /** Where the service writes each checkpoint. */
  public static final Path CHECKPOINT_FILE =
      Path.of("target", "test-checkpoints", "checkpoint").toAbsolutePath();

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    bootstrapAsAdministrator();
    // This test JVM's database and key are new: a checkpoint left by an earlier run is not ours.
    try {
      Files.deleteIfExists(CHECKPOINT_FILE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    config.put("quarkus.flyway.username", MIGRATOR_ROLE);
    config.put("quarkus.flyway.password", MIGRATOR_PASSWORD);
    config.put("quarkus.datasource.username", APP_ROLE);
    config.put("quarkus.datasource.password", APP_PASSWORD);
    config.put("slipway.audit.checkpoint.signing-key", SIGNING_KEY);
    config.put("slipway.audit.checkpoint.file", CHECKPOINT_FILE.toString());
    // Tests make checkpoints when they need one.
    config.put("slipway.audit.checkpoint.interval", "1h");
    // A consumer stops sending heartbeats once its session has expired without an answer; it is
    // DOWN 2 s later. The broker's shortest session (6 s) and a heartbeat a second make that 8 s
    // after the broker goes silent, instead of production's 10 s session and 8 s here before.
    config.put("mp.messaging.incoming.audit-in.session.timeout.ms", "6000");
    config.put("mp.messaging.incoming.audit-in.heartbeat.interval.ms", "1000");
    config.put("slipway.audit.ingest.heartbeat-timeout", "PT2S");
    config.put("slipway.audit.verify.max-rows", "500");
    config.put("slipway.audit.ingest.max-retry-backoff", "PT2S");
    // Subscribe a newly created topic within a second instead of thirty.
    config.put("mp.messaging.incoming.audit-in.metadata.max.age.ms", "1000");
    String standIn = "mp.messaging.incoming." + DeadLetteringPipelineConsumer.CHANNEL;
    config.put(standIn + ".connector", "smallrye-kafka");
    config.put(standIn + ".topic", "commit.received");
    config.put(standIn + ".group.id", "pipeline-stand-in");
    config.put(standIn + ".auto.offset.reset", "earliest");
    config.put(standIn + ".health-readiness-enabled", "false");
    config.put(
        standIn + ".value.deserializer",
        "dev.slipway.events.PayloadDeserializer$CommitReceivedDeserializer");
    config.put(standIn + ".fail-on-deserialization-failure", "false");
    config.put(standIn + ".failure-strategy", "dead-letter-queue");
    config.put(standIn + ".dead-letter-queue.topic", "commit.received.dlq");
    config.put(
        standIn + ".dead-letter-queue.value.serializer", "dev.slipway.events.PayloadSerializer");
    return config;
  }

  /** What the database administrator does once: db/admin/bootstrap.sql, then the passwords. */
  private static void bootstrapAsAdministrator() {
    var postgres = SlipwayInfrastructure.postgres();
    try (InputStream in = AuditTestResource.class.getResourceAsStream("/db/admin/bootstrap.sql");
        Connection admin =
            DriverManager.getConnection(
                postgres.jdbcUrl(), postgres.username(), postgres.password());
        Statement sql = admin.createStatement()) {
      sql.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      sql.execute("ALTER ROLE " + MIGRATOR_ROLE + " PASSWORD '" + MIGRATOR_PASSWORD + "'");
      sql.execute("ALTER ROLE " + APP_ROLE + " PASSWORD '" + APP_PASSWORD + "'");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("the administrator's bootstrap failed", e);
    }
  }
}

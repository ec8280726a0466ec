package dev.slipway.audit;

import dev.slipway.testsupport.SlipwayTestResource;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared real broker and database, with the audit service connecting as its own restricted role
 * while Flyway migrates as the owner, and a stand-in pipeline consumer that dead-letters records it
 * cannot read, as every Slipway consumer does.
 */
public class AuditTestResource extends SlipwayTestResource {

  /** The role the service connects as; the migration creates it with SELECT and INSERT only. */
  public static final String APP_ROLE = "slipway_audit_app";

  /** Its password, for tests that connect as it. */
  public static final String APP_PASSWORD = "audit-app-test-only";

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    config.put("quarkus.flyway.jdbc-url", config.get("quarkus.datasource.jdbc.url"));
    config.put("quarkus.flyway.username", config.get("quarkus.datasource.username"));
    config.put("quarkus.flyway.password", config.get("quarkus.datasource.password"));
    config.put("quarkus.datasource.username", APP_ROLE);
    config.put("quarkus.datasource.password", APP_PASSWORD);
    config.put("quarkus.flyway.placeholders.app_password", APP_PASSWORD);
    // Subscribe a newly created topic within a second instead of thirty.
    config.put("mp.messaging.incoming.audit-in.metadata.max.age.ms", "1000");
    String standIn = "mp.messaging.incoming." + DeadLetteringPipelineConsumer.CHANNEL;
    config.put(standIn + ".connector", "smallrye-kafka");
    config.put(standIn + ".topic", "commit.received");
    config.put(standIn + ".group.id", "pipeline-stand-in");
    config.put(standIn + ".auto.offset.reset", "earliest");
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
}

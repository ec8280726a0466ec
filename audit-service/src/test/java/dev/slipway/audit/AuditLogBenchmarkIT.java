package dev.slipway.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.audit.service.AuditExportFormat;
import dev.slipway.audit.service.AuditExporter;
import dev.slipway.audit.service.Checkpoint;
import dev.slipway.audit.service.CheckpointService;
import dev.slipway.audit.service.LogVerifier;
import dev.slipway.audit.service.SignedNote;
import dev.slipway.audit.service.VerificationReport;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.launcher.AuditVerifyCommand;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Figures for the README and the closing note, printed, never asserted: sustained ingest from Kafka
 * into the log with its Merkle tree against a raw batched INSERT of the same rows in the same run,
 * then, with a million rows, inclusion-proof latency, verification of the whole log from a
 * checkpoint (server side, in chunks) and the offline verifier on a full export. Sizes:
 * -Dbench.ingest.events, -Dbench.stored.events.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
@TestProfile(AuditLogBenchmarkIT.LargeChunks.class)
@Tag("bench")
class AuditLogBenchmarkIT {

  private static final int INGEST_EVENTS = Integer.getInteger("bench.ingest.events", 150_000);
  private static final int STORED_EVENTS = Integer.getInteger("bench.stored.events", 1_000_000);
  private static final int RAW_BATCH = 1000;
  private static final int LOAD_BATCH = 5000;
  private static final int QUERIES = 1000;
  private static final int EVENTS_PER_RUN = 5;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  /** Verification and checkpoints in chunks of 100,000 rows, as a production setting would. */
  public static class LargeChunks implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("slipway.audit.verify.max-rows", "100000");
    }
  }

  private final String auditor = TestTokens.token("audrey", "auditor");
  private final Random random = new Random(42);

  @Inject AuditStoreWriter writer;
  @Inject LogVerifier verifier;
  @Inject CheckpointService checkpoints;
  @Inject AuditExporter exporter;
  @Inject MeterRegistry registry;

  private String ingestTopic;

  @Test
  void ingestAgainstRawInsertThenProofsAndVerificationAtAMillionRows() throws Exception {
    double logged = ingest();
    appends();
    double raw = rawInsert(ingestTopic);
    print("ingest, Kafka -> log with Merkle tree: %,.0f events/s sustained", logged);
    print("raw batched INSERT of the same rows into a copy of the table: %,.0f rows/s", raw);
    print("log / raw: %.0f %%", 100 * logged / raw);
    load();
    proofs();
    verifyFromCheckpoints();
    offline();
  }

  /** Events/s while the consumers work off a backlog that was produced faster than they read. */
  private double ingest() throws Exception {
    ingestTopic = "bench.ingest-" + UUID.randomUUID().toString().substring(0, 6);
    SlipwayInfrastructure.createTopics(List.of(ingestTopic));
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            SlipwayInfrastructure.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "1",
            ProducerConfig.LINGER_MS_CONFIG,
            20,
            ProducerConfig.BATCH_SIZE_CONFIG,
            512 * 1024);
    List<byte[]> payloads = new ArrayList<>();
    for (EventType<?> type : EventType.ALL) {
      payloads.add(EventJson.writePayload(SampleEvents.payloadOf(type)));
    }
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      String runId = null;
      String previous = null;
      for (int i = 0; i < INGEST_EVENTS; i++) {
        int step = i % EVENTS_PER_RUN;
        if (step == 0) {
          runId = UUID.randomUUID().toString();
          previous = null;
        }
        String id = UUID.randomUUID().toString();
        String application = "bench-app-" + (i / EVENTS_PER_RUN) % 50;
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(ingestTopic, application, payloads.get(step));
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", id);
        header(record, "ce_source", "/slipway/bench");
        header(record, "ce_type", EventType.ALL.get(step).ceType());
        header(record, "ce_time", OffsetDateTime.now(ZoneOffset.UTC).format(TIME));
        header(record, "ce_subject", application);
        header(record, "ce_runid", runId);
        if (previous != null) {
          header(record, "ce_causationid", previous);
        }
        header(record, "ce_commitsha", SampleEvents.COMMIT);
        producer.send(record);
        previous = id;
      }
      producer.flush();
    }
    OffsetDateTime producerEnd = OffsetDateTime.now(ZoneOffset.UTC);
    print(
        "produced %,d events to %s in %.1f s",
        INGEST_EVENTS, ingestTopic, (System.nanoTime() - start) / 1e9);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (count("SELECT count(*) FROM audit_events WHERE topic = '" + ingestTopic + "'")
        < INGEST_EVENTS) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("ingest did not finish in 10 minutes");
      }
      Thread.sleep(200);
    }
    try (Connection admin = AuditTestData.admin();
        PreparedStatement sql =
            admin.prepareStatement(
                """
                SELECT min(recorded_at), max(recorded_at),
                       count(*) FILTER (WHERE recorded_at > ?),
                       count(*) FILTER (WHERE recorded_at = (SELECT min(recorded_at)
                                                             FROM audit_events WHERE topic = ?))
                  FROM audit_events WHERE topic = ?
                """)) {
      sql.setObject(1, producerEnd);
      sql.setString(2, ingestTopic);
      sql.setString(3, ingestTopic);
      try (ResultSet rs = sql.executeQuery()) {
        rs.next();
        OffsetDateTime first = rs.getObject(1, OffsetDateTime.class);
        OffsetDateTime last = rs.getObject(2, OffsetDateTime.class);
        long afterProducer = rs.getLong(3);
        long firstBatch = rs.getLong(4);
        double overall = (INGEST_EVENTS - firstBatch) / seconds(first, last);
        print(
            "consumers: all %,d rows in %.1f s (%,.0f/s); %,d written after the producer finished",
            INGEST_EVENTS, seconds(first, last), overall, afterProducer);
        if (afterProducer > INGEST_EVENTS / 5) {
          return afterProducer / seconds(producerEnd, last);
        }
        return overall;
      }
    }
  }

  /** How the appends of the ingest went: batch sizes, and how long the append lock was held. */
  private void appends() {
    Timer locked = registry.find("slipway.audit.append.locked").timer();
    Timer waited = registry.find("slipway.audit.append.lock.wait").timer();
    DistributionSummary records = registry.find("slipway.audit.append.records").summary();
    print(
        "appends: %,d batches of %.0f records on average; lock held %.1f ms per batch (%.1f s in"
            + " all), waited for %.1f ms per batch",
        records.count(),
        records.mean(),
        locked.mean(TimeUnit.MILLISECONDS),
        locked.totalTime(TimeUnit.SECONDS),
        waited.mean(TimeUnit.MILLISECONDS));
  }

  /** The same rows, read back, inserted with plain JDBC batches into a copy of the table. */
  private double rawInsert(String topic) throws Exception {
    var postgres = SlipwayInfrastructure.postgres();
    String url = postgres.getJdbcUrl();
    url += (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    int columns = AuditColumn.ALL.size();
    String placeholders =
        String.join(
            ", ",
            AuditColumn.ALL.stream()
                .map(c -> c.kind() == AuditColumn.Kind.JSON ? "?::json" : "?")
                .toList());
    long insertNanos = 0;
    long rows = 0;
    try (Connection reader = AuditTestData.admin();
        Connection writerConnection =
            DriverManager.getConnection(url, postgres.getUsername(), postgres.getPassword())) {
      try (Statement ddl = writerConnection.createStatement()) {
        ddl.execute("DROP TABLE IF EXISTS bench_raw");
        ddl.execute("CREATE TABLE bench_raw (LIKE audit_events INCLUDING ALL)");
      }
      reader.setAutoCommit(false);
      writerConnection.setAutoCommit(false);
      try (PreparedStatement read =
              reader.prepareStatement(
                  "SELECT "
                      + AuditColumn.NAMES.replace("event, headers", "event::text, headers::text")
                      + " FROM audit_events WHERE topic = ? ORDER BY seq");
          PreparedStatement insert =
              writerConnection.prepareStatement(
                  "INSERT INTO bench_raw ("
                      + AuditColumn.NAMES
                      + ") VALUES ("
                      + placeholders
                      + ")")) {
        read.setFetchSize(RAW_BATCH);
        read.setString(1, topic);
        try (ResultSet rs = read.executeQuery()) {
          List<Object[]> batch = new ArrayList<>(RAW_BATCH);
          while (true) {
            boolean more = rs.next();
            if (more) {
              Object[] row = new Object[columns];
              for (int c = 0; c < columns; c++) {
                row[c] = rs.getObject(c + 1);
              }
              batch.add(row);
            }
            if (batch.size() == RAW_BATCH || (!more && !batch.isEmpty())) {
              long start = System.nanoTime();
              for (Object[] row : batch) {
                for (int c = 0; c < columns; c++) {
                  insert.setObject(c + 1, row[c]);
                }
                insert.addBatch();
              }
              insert.executeBatch();
              writerConnection.commit();
              insertNanos += System.nanoTime() - start;
              rows += batch.size();
              batch.clear();
            }
            if (!more) {
              break;
            }
          }
        }
      }
      reader.commit();
      try (Statement ddl = writerConnection.createStatement()) {
        ddl.execute("DROP TABLE bench_raw");
      }
      writerConnection.commit();
    }
    print("raw: %,d rows in %.1f s of INSERT time", rows, insertNanos / 1e9);
    return rows / (insertNanos / 1e9);
  }

  /** History up to a million rows, through the log's own writer (binary COPY, tree nodes). */
  private void load() {
    long stored = count("SELECT count(*) FROM audit_events");
    long toLoad = Math.max(0, STORED_EVENTS - stored);
    OffsetDateTime time = OffsetDateTime.now(ZoneOffset.UTC).minusDays(400);
    String topicId = UUID.randomUUID().toString();
    long start = System.nanoTime();
    List<AuditRecord> batch = new ArrayList<>(LOAD_BATCH);
    String runId = null;
    String previous = null;
    for (long i = 0; i < toLoad; i++) {
      int step = (int) (i % EVENTS_PER_RUN);
      if (step == 0) {
        runId = UUID.randomUUID().toString();
        previous = null;
      }
      time = time.plusNanos(30_000_000);
      AuditRecord record = historyRecord(topicId, i, step, runId, previous, time);
      batch.add(record);
      previous = record.eventId();
      if (batch.size() == LOAD_BATCH) {
        writer.append(batch);
        batch = new ArrayList<>(LOAD_BATCH);
      }
    }
    if (!batch.isEmpty()) {
      writer.append(batch);
    }
    double secondsTaken = (System.nanoTime() - start) / 1e9;
    print(
        "loaded %,d rows through the writer in batches of %,d in %.1f s (%,.0f rows/s); %,d rows",
        toLoad,
        LOAD_BATCH,
        secondsTaken,
        toLoad / secondsTaken,
        count("SELECT count(*) FROM audit_events"));
    try (Connection admin = AuditTestData.admin();
        Statement sql = admin.createStatement()) {
      sql.execute("ANALYZE audit_events");
      sql.execute("ANALYZE audit_tree_nodes");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Inclusion proofs of random rows in the whole tree, over HTTP with a keep-alive client. */
  private void proofs() throws Exception {
    long size = count("SELECT max(seq) FROM audit_events");
    HttpClient client = HttpClient.newHttpClient();
    String base =
        "http://localhost:"
            + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    for (int i = 0; i < 200; i++) {
      get(client, base + "/api/audit/proof/inclusion?seq=" + (1 + random.nextInt((int) size)));
    }
    latency(
        "inclusion proof GET /api/audit/proof/inclusion?seq=&treeSize=" + size,
        client,
        () ->
            base
                + "/api/audit/proof/inclusion?seq="
                + (1 + random.nextInt((int) size))
                + "&treeSize="
                + size);
    latency(
        "consistency proof GET /api/audit/proof/consistency?from=&to=" + size,
        client,
        () ->
            base
                + "/api/audit/proof/consistency?from="
                + (1 + random.nextInt((int) size))
                + "&to="
                + size);
  }

  /** Checkpoints over the whole log, then a verification of every row from the first one. */
  private void verifyFromCheckpoints() {
    long size = count("SELECT max(seq) FROM audit_events");
    long start = System.nanoTime();
    Checkpoint latest = null;
    int runs = 0;
    while (latest == null || latest.treeSize() < size) {
      latest = checkpoints.checkpoint().orElseThrow();
      runs++;
      if (!checkpoints.outcome().healthy()) {
        throw new IllegalStateException(checkpoints.outcome().detail());
      }
    }
    print(
        "checkpoints up to %,d rows: %d runs, each verifying its chunk before signing, %.1f s",
        latest.treeSize(), runs, (System.nanoTime() - start) / 1e9);
    start = System.nanoTime();
    long from = 1;
    int chunks = 0;
    while (true) {
      VerificationReport report = verifier.verify(from, latest.treeSize());
      if (report.status() != VerificationReport.Status.OK) {
        throw new IllegalStateException(report.mismatch().toString());
      }
      chunks++;
      if (report.nextFrom() == null) {
        break;
      }
      from = report.nextFrom();
    }
    double taken = (System.nanoTime() - start) / 1e9;
    print(
        "verify of %,d rows from the checkpoints (%d chunks of 100,000): %.1f s, %,.0f rows/s",
        latest.treeSize(), chunks, taken, latest.treeSize() / taken);
  }

  /** A full export to a file, then the offline verifier against the checkpoint file. */
  private void offline() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "bench-offline");
    Path export = dir.resolve("audit.ndjson");
    long start = System.nanoTime();
    try (BufferedWriter out = Files.newBufferedWriter(export, StandardCharsets.UTF_8)) {
      exporter.export(
          new AuditExporter.Range(null, null, null, null), AuditExportFormat.NDJSON, out);
    }
    print(
        "export of the whole log: %.1f s, %,d MB",
        (System.nanoTime() - start) / 1e9, Files.size(export) >> 20);
    Path key = dir.resolve("key");
    Files.writeString(key, SignedNote.signer(AuditTestResource.SIGNING_KEY).verifierKey());
    start = System.nanoTime();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    boolean ok =
        AuditVerifyCommand.run(
            new String[] {
              export.toString(),
              AuditTestResource.CHECKPOINT_FILE.toString(),
              "--key",
              key.toString()
            },
            new PrintStream(output, true, StandardCharsets.UTF_8));
    print(
        "offline verifier (./slipway audit-verify) on it: %s in %.1f s",
        ok ? "OK" : "NOT VERIFIED", (System.nanoTime() - start) / 1e9);
    output.toString(StandardCharsets.UTF_8).lines().forEach(line -> print("  %s", line));
    Files.delete(export);
  }

  private interface Url {
    String next();
  }

  private void latency(String name, HttpClient client, Url urls) throws Exception {
    long[] nanos = new long[QUERIES];
    for (int i = 0; i < QUERIES; i++) {
      String url = urls.next();
      long start = System.nanoTime();
      get(client, url);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    print(
        "%s over HTTP, %d requests: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
        name,
        QUERIES,
        nanos[QUERIES / 2] / 1e6,
        nanos[(int) Math.ceil(QUERIES * 0.99) - 1] / 1e6,
        nanos[QUERIES - 1] / 1e6);
  }

  private void get(HttpClient client, String url) throws Exception {
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + auditor)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + response.statusCode());
    }
  }

  private static AuditRecord historyRecord(
      String topicId, long i, int step, String runId, String causationId, OffsetDateTime time) {
    EventType<?> type = EventType.ALL.get(step);
    String application = "history-app-" + (i / EVENTS_PER_RUN) % 100;
    String id = UUID.randomUUID().toString();
    String environment = step >= 3 ? "prod" : null;
    String status =
        switch (step) {
          case 1, 4 -> "SUCCEEDED";
          case 2 -> "PASSED";
          default -> null;
        };
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("specversion", "1.0");
    event.put("id", id);
    event.put("source", "/slipway/history");
    event.put("type", type.ceType());
    event.put("time", time.format(TIME));
    event.put("subject", application);
    event.put("runid", runId);
    if (causationId != null) {
      event.put("causationid", causationId);
    }
    ObjectNode data = event.putObject("data");
    data.put("n", i);
    if (environment != null) {
      data.put("environment", environment);
    }
    if (status != null) {
      data.put("status", status);
    }
    return new AuditRecord(
        "bench.history",
        topicId,
        0,
        i,
        application,
        id,
        type.ceType(),
        "/slipway/history",
        application,
        runId,
        causationId,
        SampleEvents.COMMIT,
        environment,
        step == 0 ? "ada" : null,
        status,
        time,
        false,
        null,
        event,
        null);
  }

  private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
    record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
  }

  private static long count(String sql) {
    return AuditTestData.count(sql);
  }

  private static double seconds(OffsetDateTime from, OffsetDateTime to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }

  private static void print(String format, Object... args) {
    System.out.println("[bench audit-service] " + String.format(format, args));
  }
}

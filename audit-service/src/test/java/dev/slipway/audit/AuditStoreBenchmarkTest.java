package dev.slipway.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.audit.service.AuditChain;
import dev.slipway.audit.service.CanonicalJson;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
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
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Figures for the README and the closing note, printed, never asserted: sustained ingest from Kafka
 * into the chained store against a raw batched INSERT of the same rows, then run- and
 * commit-timeline latency with a million stored events. Sizes: -Dbench.ingest.events,
 * -Dbench.stored.events.
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
@Tag("bench")
class AuditStoreBenchmarkTest {

  private static final int INGEST_EVENTS = Integer.getInteger("bench.ingest.events", 150_000);
  private static final int STORED_EVENTS = Integer.getInteger("bench.stored.events", 1_000_000);
  private static final int RAW_BATCH = 1000;
  private static final int QUERIES = 1000;
  private static final int EVENTS_PER_RUN = 5;
  private static final int RUNS_PER_COMMIT = 2;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private final String viewer = TestTokens.token("vera", "viewer");
  private final Random random = new Random(42);

  @Test
  void ingestRateAgainstRawInsertThenTimelineLatencyAtAMillionEvents() throws Exception {
    double chained = ingest();
    double raw = rawInsert(ingestTopic);
    print("ingest, Kafka -> chained store: %,.0f events/s sustained", chained);
    print("raw batched INSERT of the same rows: %,.0f rows/s", raw);
    print("chained / raw: %.0f %%", 100 * chained / raw);
    timelines();
  }

  private String ingestTopic;

  /** Events/s while the consumer works off a backlog that was produced faster than it reads. */
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
    OffsetDateTime producerStart = OffsetDateTime.now(ZoneOffset.UTC);
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
    try (Connection owner = AuditTestData.owner();
        PreparedStatement sql =
            owner.prepareStatement(
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
            "consumer: first batch %s after the first send, all %,d rows in %.1f s (%,.0f/s);"
                + " %,d rows written after the producer finished",
            Duration.between(producerStart, first),
            INGEST_EVENTS,
            seconds(first, last),
            overall,
            afterProducer);
        if (afterProducer > INGEST_EVENTS / 5) {
          return afterProducer / seconds(producerEnd, last);
        }
        return overall;
      }
    }
  }

  /** The same rows, read back, inserted with plain JDBC batches into a copy of the table. */
  private double rawInsert(String topic) throws Exception {
    String url = SlipwayInfrastructure.postgres().getJdbcUrl();
    url += (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    var postgres = SlipwayInfrastructure.postgres();
    long insertNanos = 0;
    long rows = 0;
    try (Connection reader = AuditTestData.owner();
        Connection writer =
            DriverManager.getConnection(url, postgres.getUsername(), postgres.getPassword())) {
      try (Statement ddl = writer.createStatement()) {
        ddl.execute("DROP TABLE IF EXISTS bench_raw");
        ddl.execute("CREATE TABLE bench_raw (LIKE audit_events INCLUDING ALL)");
      }
      reader.setAutoCommit(false);
      writer.setAutoCommit(false);
      try (PreparedStatement read =
              reader.prepareStatement(
                  "SELECT * FROM audit_events WHERE topic = ? ORDER BY seq",
                  ResultSet.TYPE_FORWARD_ONLY,
                  ResultSet.CONCUR_READ_ONLY);
          PreparedStatement insert =
              writer.prepareStatement(
                  """
                  INSERT INTO bench_raw (seq, topic, kafka_partition, kafka_offset, record_key,
                      event_id, type, source, application, run_id, causation_id, commit_sha,
                      environment, actor, status, event_time, recorded_at, problem, event, headers,
                      prev_hash, hash)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb,
                          ?, ?)
                  """)) {
        read.setFetchSize(RAW_BATCH);
        read.setString(1, topic);
        try (ResultSet rs = read.executeQuery()) {
          List<Object[]> batch = new ArrayList<>(RAW_BATCH);
          while (true) {
            boolean more = rs.next();
            if (more) {
              Object[] row = new Object[22];
              for (int c = 0; c < 22; c++) {
                row[c] =
                    switch (c) {
                      case 15, 16 -> rs.getObject(c + 1, OffsetDateTime.class);
                      case 18, 19 -> rs.getString(c + 1);
                      default -> rs.getObject(c + 1);
                    };
              }
              batch.add(row);
            }
            if (batch.size() == RAW_BATCH || (!more && !batch.isEmpty())) {
              long start = System.nanoTime();
              for (Object[] row : batch) {
                for (int c = 0; c < 22; c++) {
                  insert.setObject(c + 1, row[c]);
                }
                insert.addBatch();
              }
              insert.executeBatch();
              writer.commit();
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
      try (Statement ddl = writer.createStatement()) {
        ddl.execute("DROP TABLE bench_raw");
      }
      writer.commit();
    }
    print("raw: %,d rows in %.1f s of INSERT time", rows, insertNanos / 1e9);
    return rows / (insertNanos / 1e9);
  }

  /** Loads history up to a million rows (a valid chain, by COPY), then times the timelines. */
  private void timelines() throws Exception {
    long stored = count("SELECT count(*) FROM audit_events");
    long toLoad = Math.max(0, STORED_EVENTS - stored);
    List<String> runIds = new ArrayList<>();
    List<String> commits = new ArrayList<>();
    long start = System.nanoTime();
    try (Connection owner = AuditTestData.owner()) {
      owner.setAutoCommit(false);
      try (Statement sql = owner.createStatement()) {
        sql.execute("SELECT pg_advisory_xact_lock(" + AuditEventRepository.CHAIN_LOCK + ")");
        long seq;
        byte[] prev;
        try (ResultSet tail =
            sql.executeQuery("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")) {
          tail.next();
          seq = tail.getLong(1);
          prev = tail.getBytes(2);
        }
        CopyIn copy =
            owner
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(
                    "COPY audit_events (seq, topic, kafka_partition, kafka_offset, record_key,"
                        + " event_id, type, source, application, run_id, causation_id, commit_sha,"
                        + " environment, actor, status, event_time, recorded_at, problem, event,"
                        + " headers, prev_hash, hash) FROM STDIN WITH (FORMAT csv)");
        OffsetDateTime recordedAt =
            OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        OffsetDateTime time = recordedAt.minusDays(400);
        StringBuilder csv = new StringBuilder(1 << 20);
        String runId = null;
        String commit = null;
        String previousId = null;
        for (long i = 0; i < toLoad; i++) {
          int step = (int) (i % EVENTS_PER_RUN);
          if (step == 0) {
            runId = UUID.randomUUID().toString();
            previousId = null;
            if ((i / EVENTS_PER_RUN) % RUNS_PER_COMMIT == 0) {
              commit = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
            }
            if (random.nextInt(200) == 0) {
              runIds.add(runId);
              commits.add(commit);
            }
          }
          time = time.plusNanos(30_000_000);
          AuditRecord record = historyRecord(i, step, runId, previousId, commit, time);
          seq++;
          byte[] hash = AuditChain.hash(prev, seq, recordedAt, record);
          csvLine(csv, seq, recordedAt, record, prev, hash);
          prev = hash;
          previousId = record.eventId();
          if (csv.length() > (1 << 20) - 4096) {
            byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            csv.setLength(0);
          }
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        copy.endCopy();
      }
      owner.commit();
      try (Statement sql = owner.createStatement()) {
        owner.setAutoCommit(true);
        sql.execute("ANALYZE audit_events");
      }
    }
    print(
        "loaded %,d chained rows by COPY in %.1f s; %,d rows stored",
        toLoad, (System.nanoTime() - start) / 1e9, count("SELECT count(*) FROM audit_events"));
    latency("run timeline   GET /api/audit/runs/{runId}", "/api/audit/runs/", runIds);
    latency("commit timeline GET /api/audit/commits/{sha}", "/api/audit/commits/", commits);
  }

  /** Latency seen by a plain keep-alive HTTP client, so the client's own cost stays small. */
  private void latency(String name, String path, List<String> keys) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String base =
        "http://localhost:"
            + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    for (int i = 0; i < 200; i++) {
      get(client, base + path + keys.get(i % keys.size()));
    }
    long[] nanos = new long[QUERIES];
    for (int i = 0; i < QUERIES; i++) {
      String key = keys.get(random.nextInt(keys.size()));
      long start = System.nanoTime();
      get(client, base + path + key);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    print(
        "%s over HTTP, %d requests: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
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
                .header("Authorization", "Bearer " + viewer)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + response.statusCode());
    }
  }

  private static AuditRecord historyRecord(
      long i, int step, String runId, String causationId, String commit, OffsetDateTime time) {
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
    event.put("commitsha", commit);
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
        0,
        i,
        application,
        id,
        type.ceType(),
        "/slipway/history",
        application,
        runId,
        causationId,
        commit,
        environment,
        step == 0 ? "ada" : null,
        status,
        time,
        null,
        event,
        null);
  }

  private static void csvLine(
      StringBuilder csv,
      long seq,
      OffsetDateTime recordedAt,
      AuditRecord r,
      byte[] prev,
      byte[] hash) {
    csv.append(seq).append(',');
    quoted(csv, r.topic());
    csv.append(',').append(r.partition()).append(',').append(r.offset()).append(',');
    for (String text :
        new String[] {
          r.key(),
          r.eventId(),
          r.type(),
          r.source(),
          r.application(),
          r.runId(),
          r.causationId(),
          r.commitSha(),
          r.environment(),
          r.actor(),
          r.status()
        }) {
      quoted(csv, text);
      csv.append(',');
    }
    csv.append(r.eventTime().format(TIME)).append(',');
    csv.append(recordedAt.format(TIME)).append(',');
    quoted(csv, r.problem());
    csv.append(',');
    quoted(csv, CanonicalJson.write(r.event()));
    csv.append(',');
    quoted(csv, r.headers() == null ? null : CanonicalJson.write(r.headers()));
    csv.append(",\\x").append(AuditChain.hex(prev));
    csv.append(",\\x").append(AuditChain.hex(hash)).append('\n');
  }

  private static void quoted(StringBuilder csv, String text) {
    if (text != null) {
      csv.append('"').append(text.replace("\"", "\"\"")).append('"');
    }
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

package dev.slipway.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.checkpoint.SignedNote;
import dev.slipway.audit.messaging.KafkaTopicIds;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.audit.service.AuditExportFormat;
import dev.slipway.audit.service.AuditExporter;
import dev.slipway.audit.service.CheckpointService;
import dev.slipway.audit.service.LogVerifier;
import dev.slipway.audit.service.VerificationReport;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.launcher.AuditVerifyCommand;
import dev.slipway.testsupport.CpuTime;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
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
import java.lang.management.ManagementFactory;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * checkpoint (server side, in chunks) and the offline verifier on a full export; then, with ten
 * million rows, proof latency again. Checkpoints are signed while the consumers ingest, as the
 * service does in production, so the ingest figure includes them. Sizes: -Dbench.warmup.events,
 * -Dbench.ingest.events, -Dbench.stored.events, -Dbench.large.events (0 leaves the large log out).
 */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
@TestProfile(AuditLogBenchmarkIT.LargeChunks.class)
@Tag("bench")
class AuditLogBenchmarkIT {

  private static final int INGEST_EVENTS = Integer.getInteger("bench.ingest.events", 150_000);
  private static final int WARMUP_EVENTS = Integer.getInteger("bench.warmup.events", 60_000);
  private static final int STORED_EVENTS = Integer.getInteger("bench.stored.events", 1_000_000);
  private static final int LARGE_EVENTS = Integer.getInteger("bench.large.events", 10_000_000);
  private static final int LOADERS = 2;
  private static final int RAW_BATCH = 1000;
  private static final int LOAD_BATCH = 5000;
  private static final int QUERIES = 1000;
  private static final int EVENTS_PER_RUN = 5;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  /**
   * Verification in chunks of 100,000 rows, as a production setting would; checkpoints, signed
   * every 10 s during ingest instead of every minute, hash the content of a sixth of production's
   * 100,000 rows a run, so content is hashed again at production's rate.
   */
  public static class LargeChunks implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "slipway.audit.verify.max-rows", "100000",
          "slipway.audit.checkpoint.content-rows", "16667");
    }
  }

  private final String auditor = TestTokens.token("audrey", "auditor");
  private final Random random = new Random(42);

  @Inject AuditStoreWriter writer;
  @Inject LogVerifier verifier;
  @Inject CheckpointService checkpoints;
  @Inject AuditExporter exporter;
  @Inject MeterRegistry registry;
  @Inject KafkaTopicIds topicIds;

  private String ingestTopic;

  @Test
  void ingestAgainstRawInsertThenProofsAndVerificationAtAMillionRows() throws Exception {
    double logged = ingest();
    appends();
    explainTwins(ingestTopic);
    double raw = rawInsert(ingestTopic);
    print(
        "ingest, Kafka -> log with Merkle tree and checkpoints: %,.0f events/s sustained", logged);
    print("raw batched INSERT of the same rows into a copy of the table: %,.0f rows/s", raw);
    print("log / raw: %.0f %%", 100 * logged / raw);
    load(STORED_EVENTS);
    proofs();
    verifyFromCheckpoints();
    offline();
    if (LARGE_EVENTS > STORED_EVENTS) {
      load(LARGE_EVENTS);
      proofs();
    }
  }

  /**
   * Events/s while the consumers work off a backlog that was produced faster than they read, after
   * a warm-up backlog on another topic (the figure is the service's steady state, not its JIT).
   */
  private double ingest() throws Exception {
    // Rounds of warm-up until the JIT compiler is nearly done (it takes most of a core at first),
    // each with a checkpoint, so the measured ingest runs compiled code.
    long start = System.nanoTime();
    int rounds = 0;
    long compiled;
    do {
      long compileFrom = compileMillis();
      String warmUp = "bench.warmup-" + UUID.randomUUID().toString().substring(0, 6);
      SlipwayInfrastructure.createTopics(List.of(warmUp));
      produce(warmUp, WARMUP_EVENTS);
      awaitRows(warmUp, WARMUP_EVENTS);
      checkpoints.checkpoint();
      rounds++;
      compiled = compileMillis() - compileFrom;
    } while (compiled > 2000 && rounds < 5);
    print(
        "warm-up: %d rounds of %,d events in %.1f s; the JIT compiled for %.1f s in the last",
        rounds, WARMUP_EVENTS, (System.nanoTime() - start) / 1e9, compiled / 1e3);
    ingestTopic = "bench.ingest-" + UUID.randomUUID().toString().substring(0, 6);
    SlipwayInfrastructure.createTopics(List.of(ingestTopic));
    start = System.nanoTime();
    produce(ingestTopic, INGEST_EVENTS);
    OffsetDateTime producerEnd = OffsetDateTime.now(ZoneOffset.UTC);
    print(
        "produced %,d events to %s in %.1f s",
        INGEST_EVENTS, ingestTopic, (System.nanoTime() - start) / 1e9);
    long cpuFrom = processCpuNanos();
    Cpu machineFrom = Cpu.now();
    phasesFrom = appendTimes();
    long compileFrom = compileMillis();
    Map<String, Long> readsFrom = tableReads();
    long rowsFrom = storedOf(topicIds.refresh(Set.of(ingestTopic)).get(ingestTopic));
    // Checkpoints are signed meanwhile, every 10 s (production: every minute): each run checks the
    // rows appended since the last by their hashes and signs the tail, then hashes the content of
    // one chunk of signed rows again.
    AtomicBoolean ingesting = new AtomicBoolean(true);
    AtomicInteger checkpointRuns = new AtomicInteger();
    Thread checkpointer =
        new Thread(
            () -> {
              while (ingesting.get()) {
                checkpoints.checkpoint();
                checkpointRuns.incrementAndGet();
                for (int waited = 0; waited < 100 && ingesting.get(); waited++) {
                  sleepQuietly(100);
                }
              }
            },
            "bench-checkpoints");
    checkpointer.start();
    Map<String, long[]> running = new java.util.concurrent.ConcurrentHashMap<>();
    Thread watcher = new Thread(() -> watchQueries(ingesting, running), "bench-queries");
    watcher.start();
    try {
      awaitRows(ingestTopic, INGEST_EVENTS);
    } finally {
      ingesting.set(false);
      checkpointer.join();
      watcher.join();
    }
    long cpu = processCpuNanos() - cpuFrom;
    Cpu machineTo = Cpu.now();
    Map<String, Long> reads = tableReads();
    StringBuilder scans = new StringBuilder();
    reads.forEach(
        (name, value) -> scans.append(String.format(" %s %,d", name, value - readsFrom.get(name))));
    print("PostgreSQL during ingest (pg_stat_user_tables/indexes):%s", scans);
    running.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .limit(8)
        .forEach(
            q ->
                print(
                    "  seen running in %,d samples of pg_stat_activity (every 20 ms), for up to %,d"
                        + " ms: %s",
                    q.getValue()[0], q.getValue()[1], q.getKey()));
    if (!checkpoints.outcome().healthy()) {
      throw new IllegalStateException(checkpoints.outcome().detail());
    }
    print(
        "checkpoints signed during ingest: %d runs, the last at %,d rows; this JVM (consumers,"
            + " writer, checkpoints) used %.1f µs of CPU per event, the JIT compiled for %.1f s",
        checkpointRuns.get(),
        checkpoints.latest().map(Checkpoint::treeSize).orElse(0L),
        cpu / 1e3 / Math.max(1, INGEST_EVENTS - rowsFrom),
        (compileMillis() - compileFrom) / 1e3);
    print(
        "CPU during ingest per event: %s",
        machineTo.minus(machineFrom).per(Math.max(1, INGEST_EVENTS - rowsFrom)));
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

  /**
   * Samples PostgreSQL's active statements every 20 ms while {@code on}: how often each statement
   * (its first 140 characters and what it waited for) was seen running, and for how long at most.
   */
  private static void watchQueries(AtomicBoolean on, Map<String, long[]> seen) {
    try (Connection admin = AuditTestData.admin();
        PreparedStatement sql =
            admin.prepareStatement(
                """
                SELECT regexp_replace(left(query, 140), '\\s+', ' ', 'g'),
                       coalesce(wait_event_type || ':' || wait_event, 'CPU'),
                       (extract(epoch FROM clock_timestamp() - query_start) * 1000)::bigint
                  FROM pg_stat_activity
                 WHERE state = 'active' AND pid <> pg_backend_pid()
                   AND backend_type = 'client backend'
                """)) {
      while (on.get()) {
        try (ResultSet rows = sql.executeQuery()) {
          while (rows.next()) {
            long[] counts =
                seen.computeIfAbsent(
                    "[" + rows.getString(2) + "] " + rows.getString(1), k -> new long[2]);
            counts[0]++;
            counts[1] = Math.max(counts[1], rows.getLong(3));
          }
        }
        sleepQuietly(20);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code events} sample events, runs of five in pipeline order, to {@code topic}. */
  private static void produce(String topic, int events) {
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
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      String runId = null;
      String previous = null;
      for (int i = 0; i < events; i++) {
        int step = i % EVENTS_PER_RUN;
        if (step == 0) {
          runId = UUID.randomUUID().toString();
          previous = null;
        }
        String id = UUID.randomUUID().toString();
        String application = "bench-app-" + (i / EVENTS_PER_RUN) % 50;
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(topic, application, payloads.get(step));
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
  }

  /** Waits until {@code topic} has {@code events} rows in the log, at most ten minutes. */
  /**
   * Waits until every event of {@code topic} is stored. Polled through the unique index on (topic
   * id, partition, offset), the highest stored offset of each partition: a count by topic would
   * scan the whole table every time and take PostgreSQL's CPU from the ingest being measured.
   * Offsets of a fresh topic start at 0 and each partition is appended in order, so the sum of
   * (highest offset + 1) is the number of its rows stored.
   */
  private void awaitRows(String topic, int events) throws InterruptedException {
    String topicId = topicIds.refresh(Set.of(topic)).get(topic);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (storedOf(topicId) < events) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(topic + " was not ingested in 10 minutes");
      }
      Thread.sleep(200);
    }
  }

  private static long storedOf(String topicId) {
    try (Connection admin = AuditTestData.admin();
        PreparedStatement sql =
            admin.prepareStatement(
                """
                SELECT coalesce(sum(m + 1), 0) FROM (
                  SELECT (SELECT max(e.kafka_offset) FROM audit_events e
                           WHERE e.topic_id = ?::uuid AND e.kafka_partition = p) AS m
                    FROM generate_series(0, ? - 1) AS p) AS marks
                """)) {
      sql.setString(1, topicId);
      sql.setInt(2, SlipwayInfrastructure.PARTITIONS);
      try (ResultSet rows = sql.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How the appends of the measured ingest went: batch sizes, and where the writer's time went. */
  private void appends() {
    Map<String, double[]> phases = appendTimes();
    double[] batches = phases.get("prepare");
    double[] groups = phases.get("locked");
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, double[]> phase : phases.entrySet()) {
      double seconds = phase.getValue()[0] - phasesFrom.get(phase.getKey())[0];
      double count = phase.getValue()[1] - phasesFrom.get(phase.getKey())[1];
      out.append(
          String.format(
              " %s %.2f s (%.2f ms each)", phase.getKey(), seconds, 1e3 * seconds / count));
    }
    print(
        "appends during ingest: %,.0f batches, %,.0f groups; the writer's time (per batch before the"
            + " lock: prepare, twins; per group: lock wait, then under the lock state, rows, tree,"
            + " commit; locked is all of it under the lock):%s",
        batches[1] - phasesFrom.get("prepare")[1], groups[1] - phasesFrom.get("locked")[1], out);
  }

  private Map<String, double[]> phasesFrom;

  /** Total seconds and count of each of the writer's timers so far. */
  private Map<String, double[]> appendTimes() {
    Map<String, double[]> times = new java.util.LinkedHashMap<>();
    for (String phase : List.of("prepare", "twins", "state", "rows", "tree", "commit")) {
      Timer timer = registry.find("slipway.audit.append.phase").tag("phase", phase).timer();
      times.put(phase, new double[] {timer.totalTime(TimeUnit.SECONDS), timer.count()});
    }
    for (String name : List.of("lock.wait", "locked")) {
      Timer timer = registry.find("slipway.audit.append." + name).timer();
      times.put(name, new double[] {timer.totalTime(TimeUnit.SECONDS), timer.count()});
    }
    return times;
  }

  /**
   * How PostgreSQL plans the writer's lookup of stored rows by event id for a batch of 2,000 ids
   * ({@link AuditStoreWriter#TWINS}), planned for the ids given (custom) and for any ids (generic,
   * what a statement prepared on the server gets after five runs); and with 2,000 ids as one {@code
   * = ANY} array, the form that read the whole table without statistics.
   */
  private static void explainTwins(String topic) {
    try (Connection admin = AuditTestData.admin();
        Statement sql = admin.createStatement()) {
      sql.execute("PREPARE twins(text[]) AS " + AuditStoreWriter.TWINS.replace("?", "$1"));
      sql.execute(
          "PREPARE any_ids(text[]) AS SELECT e.seq FROM audit_events e"
              + " WHERE e.event_id = ANY($1)");
      String ids;
      try (PreparedStatement read =
          admin.prepareStatement(
              "SELECT array_agg(event_id)::text FROM (SELECT event_id FROM audit_events"
                  + " WHERE topic = ? ORDER BY seq DESC LIMIT 2000) AS last")) {
        read.setString(1, topic);
        try (ResultSet rows = read.executeQuery()) {
          rows.next();
          ids = rows.getString(1);
        }
      }
      for (String statement : List.of("twins", "any_ids")) {
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
          sql.execute("SET plan_cache_mode = " + mode);
          StringBuilder plan = new StringBuilder();
          try (ResultSet rows =
              sql.executeQuery(
                  "EXPLAIN EXECUTE " + statement + "('" + ids.replace("'", "''") + "')")) {
            while (rows.next()) {
              String line = rows.getString(1).trim();
              plan.append(" | ").append(line, 0, Math.min(line.length(), 110));
            }
          }
          print("plan of the event-id lookup %s (%s):%s", statement, mode, plan);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same rows, read back, inserted with plain JDBC batches into a copy of the table. */
  private double rawInsert(String topic) throws Exception {
    var postgres = SlipwayInfrastructure.postgres();
    String url = postgres.jdbcUrl();
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
    Cpu insertCpu = Cpu.ZERO;
    try (Connection reader = AuditTestData.admin();
        Connection writerConnection =
            DriverManager.getConnection(url, postgres.username(), postgres.password())) {
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
              Cpu cpuFrom = Cpu.now();
              for (Object[] row : batch) {
                for (int c = 0; c < columns; c++) {
                  insert.setObject(c + 1, row[c]);
                }
                insert.addBatch();
              }
              insert.executeBatch();
              writerConnection.commit();
              insertNanos += System.nanoTime() - start;
              insertCpu = insertCpu.plus(Cpu.now().minus(cpuFrom));
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
    print("CPU during the raw INSERT per row: %s", insertCpu.per(rows));
    return rows / (insertNanos / 1e9);
  }

  /**
   * History up to {@code target} rows, through the log's own writer (binary COPY, tree nodes and
   * tiles), from {@value #LOADERS} threads whose batches the writer commits in groups.
   */
  private void load(long target) throws Exception {
    long stored = count("SELECT count(*) FROM audit_events");
    long toLoad = Math.max(0, target - stored);
    String topicId = UUID.randomUUID().toString();
    OffsetDateTime from = OffsetDateTime.now(ZoneOffset.UTC).minusDays(400);
    AtomicLong next = new AtomicLong();
    long start = System.nanoTime();
    List<Thread> loaders = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < LOADERS; t++) {
      // A partition per loader: offsets grow within each, as the writer's watermarks expect.
      int partition = t;
      Thread loader =
          new Thread(
              () -> {
                try {
                  // Each loader takes whole runs of EVENTS_PER_RUN events at a time.
                  while (true) {
                    long first = next.getAndAdd(LOAD_BATCH);
                    if (first >= toLoad) {
                      return;
                    }
                    List<AuditRecord> batch = new ArrayList<>(LOAD_BATCH);
                    String runId = null;
                    String previous = null;
                    for (long i = first; i < Math.min(first + LOAD_BATCH, toLoad); i++) {
                      int step = (int) (i % EVENTS_PER_RUN);
                      if (step == 0) {
                        runId = UUID.randomUUID().toString();
                        previous = null;
                      }
                      OffsetDateTime time = from.plusNanos(30_000_000L * (stored + i));
                      AuditRecord record =
                          historyRecord(
                              topicId, partition, stored + i, step, runId, previous, time);
                      batch.add(record);
                      previous = record.eventId();
                    }
                    writer.append(batch);
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              "bench-loader-" + t);
      loader.start();
      loaders.add(loader);
    }
    for (Thread loader : loaders) {
      loader.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("loading history failed", failures.get(0));
    }
    double secondsTaken = (System.nanoTime() - start) / 1e9;
    print(
        "loaded %,d rows through the writer (%d threads, batches of %,d) in %.1f s (%,.0f rows/s);"
            + " %,d rows",
        toLoad,
        LOADERS,
        LOAD_BATCH,
        secondsTaken,
        toLoad / Math.max(secondsTaken, 1e-9),
        count("SELECT count(*) FROM audit_events"));
    // Proofs are measured at rest: what autovacuum and the checkpointer would do meanwhile is done.
    start = System.nanoTime();
    try (Connection admin = AuditTestData.admin();
        Statement sql = admin.createStatement()) {
      // Not in parallel: a container's /dev/shm is too small for parallel vacuum's shared memory.
      sql.execute("VACUUM (ANALYZE, PARALLEL 0)");
      sql.execute("CHECKPOINT");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    print(
        "VACUUM (ANALYZE) and CHECKPOINT after loading: %.1f s", (System.nanoTime() - start) / 1e9);
  }

  /** Inclusion proofs of random rows in the whole tree, over HTTP with a keep-alive client. */
  private void proofs() throws Exception {
    long size = count("SELECT max(seq) FROM audit_events");
    HttpClient client = HttpClient.newHttpClient();
    String base =
        "http://localhost:"
            + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    // Warm-up: the request path compiled by the JIT, as in a service that has been running. One
    // round of 1000 of each left the JIT compiling during the timed requests (its threads took the
    // CPU from them on 2 cores: the slowest requests of a run on 2026-12-08 waited for a CPU for
    // most of their time while this JVM compiled), so rounds go on until a round compiles little.
    long start = System.nanoTime();
    int rounds = 0;
    long compiled;
    do {
      long compileFrom = compileMillis();
      for (int i = 0; i < 1000; i++) {
        get(client, base + "/api/audit/proof/inclusion?seq=" + (1 + random.nextInt((int) size)));
        get(client, base + "/api/audit/proof/consistency?from=" + (1 + random.nextInt((int) size)));
      }
      rounds++;
      compiled = compileMillis() - compileFrom;
    } while (compiled > 100 && rounds < 10);
    print(
        "proofs warm-up: %d rounds of 1000 of each in %.1f s; the JIT compiled for %d ms in the"
            + " last",
        rounds, (System.nanoTime() - start) / 1e9, compiled);
    latency(
        "inclusion proof GET /api/audit/proof/inclusion?seq=&treeSize=" + size,
        "inclusion",
        client,
        () ->
            base
                + "/api/audit/proof/inclusion?seq="
                + (1 + random.nextInt((int) size))
                + "&treeSize="
                + size);
    latency(
        "consistency proof GET /api/audit/proof/consistency?from=&to=" + size,
        "consistency",
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
        "checkpoints up to %,d rows: %d runs (each checks the new rows by their hashes before it"
            + " signs, and hashes the content of one chunk again), %.1f s",
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

  /**
   * Times {@value #QUERIES} requests one after another, then prints the percentiles and, for the
   * slowest 20, a timeline of what happened while each ran: the proof's own time in the service and
   * its tile reads from the database (the cache missed), this JVM's CPU, garbage collections
   * overlapping it, JIT compilation, the time the machine's runnable tasks waited for a CPU
   * (pressure stall), PostgreSQL's CPU and what else PostgreSQL was running (sampled every 20 ms).
   */
  private void latency(String name, String proof, HttpClient client, Url urls) throws Exception {
    Timer proofTime = registry.find("slipway.audit.proofs").tag("proof", proof).timer();
    Sample[] samples = new Sample[QUERIES];
    long vacuumsFrom = autovacuums();
    AtomicBoolean on = new AtomicBoolean(true);
    List<Activity> activity = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread watcher = new Thread(() -> watchActivity(on, activity), "bench-activity");
    long window = System.nanoTime();
    try (GcEvents gcs = new GcEvents()) {
      watcher.start();
      for (int i = 0; i < QUERIES; i++) {
        String url = urls.next();
        Probe before = probe(proofTime);
        long uptimeFrom = uptimeMillis();
        long start = System.nanoTime();
        get(client, url);
        long end = System.nanoTime();
        long uptimeTo = uptimeMillis();
        samples[i] =
            new Sample(
                url.substring(url.indexOf('?') + 1),
                start - window,
                end - start,
                uptimeFrom,
                uptimeTo,
                probe(proofTime).minus(before),
                List.of());
      }
      on.set(false);
      watcher.join();
      for (int i = 0; i < QUERIES; i++) {
        Sample s = samples[i];
        samples[i] = s.withGcs(gcs.during(s.uptimeFrom(), s.uptimeTo()));
      }
      long[] nanos = Arrays.stream(samples).mapToLong(Sample::nanos).sorted().toArray();
      long[] server =
          Arrays.stream(samples).mapToLong(s -> s.used().proofNanos()).sorted().toArray();
      print(
          "%s over HTTP, %d requests: p50 %.2f ms, p99 %.2f ms, max %.2f ms; the proof in the"
              + " service: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
          name,
          QUERIES,
          nanos[QUERIES / 2] / 1e6,
          nanos[P99] / 1e6,
          nanos[QUERIES - 1] / 1e6,
          server[QUERIES / 2] / 1e6,
          server[P99] / 1e6,
          server[QUERIES - 1] / 1e6);
      timeline(samples, gcs, activity, System.nanoTime() - window, autovacuums() - vacuumsFrom);
    }
  }

  private static final int P99 = (int) Math.ceil(QUERIES * 0.99) - 1;

  /** What happened during the slowest requests, and how the tail differs from the rest. */
  private static void timeline(
      Sample[] samples, GcEvents gcs, List<Activity> activity, long windowNanos, long vacuums) {
    List<GcEvents.Gc> all = gcs.seen();
    long pauses = all.stream().filter(g -> !g.concurrent()).count();
    print(
        "  during the %.1f s of requests: %d GC pauses (%d ms in all, the longest %d ms), %d"
            + " concurrent GC cycles; autovacuum/autoanalyze runs on the audit tables: %d;"
            + " PostgreSQL activity other than proofs seen in %d of its samples",
        windowNanos / 1e9,
        pauses,
        all.stream().filter(g -> !g.concurrent()).mapToLong(GcEvents.Gc::millis).sum(),
        all.stream().filter(g -> !g.concurrent()).mapToLong(GcEvents.Gc::millis).max().orElse(0),
        all.size() - pauses,
        vacuums,
        activity.stream().filter(a -> !a.proof()).count());
    Sample[] slowest = samples.clone();
    Arrays.sort(slowest, (a, b) -> Long.compare(b.nanos(), a.nanos()));
    long readers = Arrays.stream(samples).filter(s -> s.used().tileReads() > 0).count();
    print(
        "  requests that read tiles from the database: %d of %d, among the slowest 10: %d; slowest"
            + " 10 overlapping a GC pause: %d, with the machine's tasks waiting for a CPU more than"
            + " half their time: %d, with JIT compilation: %d",
        readers,
        samples.length,
        Arrays.stream(slowest).limit(10).filter(s -> s.used().tileReads() > 0).count(),
        Arrays.stream(slowest).limit(10).filter(Sample::paused).count(),
        Arrays.stream(slowest).limit(10).filter(s -> 2 * s.used().cpuWait() > s.nanos()).count(),
        Arrays.stream(slowest).limit(10).filter(s -> s.used().compileMillis() > 0).count());
    print(
        "  the median request: proof %.2f ms of %.2f ms, JVM CPU %.2f ms, CPU wait %.2f ms",
        median(samples, s -> s.used().proofNanos()),
        median(samples, Sample::nanos),
        median(samples, s -> s.used().jvmCpu()),
        median(samples, s -> s.used().cpuWait()));
    for (int i = 0; i < 20; i++) {
      Sample s = slowest[i];
      Probe u = s.used();
      StringBuilder others = new StringBuilder();
      activity.stream()
          .filter(a -> !a.proof() && a.at() >= s.at() - 20_000_000 && a.at() <= s.at() + s.nanos())
          .map(Activity::what)
          .distinct()
          .forEach(w -> others.append("; PostgreSQL also ran ").append(w));
      StringBuilder gc = new StringBuilder();
      s.gcs()
          .forEach(
              g ->
                  gc.append(
                      String.format(
                          "; %s %s (%s) %d ms",
                          g.concurrent() ? "concurrent" : "GC pause",
                          g.name(),
                          g.cause(),
                          g.millis())));
      print(
          "  #%d at +%,.0f ms (JVM uptime %,d ms) %s: %.2f ms; the proof %.2f ms (%d tiles in %d"
              + " reads, %.2f ms); JVM CPU %.2f ms; JIT %d ms; CPU wait %.2f ms; PostgreSQL CPU"
              + " %.2f ms; machine CPU %.2f ms%s%s",
          i + 1,
          s.at() / 1e6,
          s.uptimeFrom(),
          s.url(),
          s.nanos() / 1e6,
          u.proofNanos() / 1e6,
          u.tilesRead(),
          u.tileReads(),
          u.tileNanos() / 1e6,
          u.jvmCpu() / 1e6,
          u.compileMillis(),
          u.cpuWait() / 1e6,
          u.postgresCpu() / 1e6,
          u.machineCpu() / 1e6,
          gc,
          others);
    }
  }

  private static double median(Sample[] samples, java.util.function.ToLongFunction<Sample> f) {
    return Arrays.stream(samples).mapToLong(f).sorted().toArray()[samples.length / 2] / 1e6;
  }

  /** One timed request: its query, when it started in the run, how long it took, what it used. */
  private record Sample(
      String url,
      long at,
      long nanos,
      long uptimeFrom,
      long uptimeTo,
      Probe used,
      List<GcEvents.Gc> gcs) {
    Sample withGcs(List<GcEvents.Gc> during) {
      return new Sample(url, at, nanos, uptimeFrom, uptimeTo, used, during);
    }

    boolean paused() {
      return gcs.stream().anyMatch(g -> !g.concurrent());
    }
  }

  /** Counters read before and after each request: the differences say where its time went. */
  private record Probe(
      long proofNanos,
      long tileReads,
      long tilesRead,
      long tileNanos,
      long jvmCpu,
      long compileMillis,
      long cpuWait,
      long postgresCpu,
      long machineCpu) {
    Probe minus(Probe o) {
      return new Probe(
          proofNanos - o.proofNanos,
          tileReads - o.tileReads,
          tilesRead - o.tilesRead,
          tileNanos - o.tileNanos,
          jvmCpu - o.jvmCpu,
          compileMillis - o.compileMillis,
          cpuWait - o.cpuWait,
          postgresCpu - o.postgresCpu,
          machineCpu - o.machineCpu);
    }
  }

  private Probe probe(Timer proofTime) {
    Timer reads = registry.find("slipway.audit.proofs.tile.reads").timer();
    io.micrometer.core.instrument.Counter tiles =
        registry.find("slipway.audit.proofs.tiles.read").counter();
    return new Probe(
        (long) proofTime.totalTime(TimeUnit.NANOSECONDS),
        reads.count(),
        (long) tiles.count(),
        (long) reads.totalTime(TimeUnit.NANOSECONDS),
        processCpuNanos(),
        compileMillis(),
        CpuTime.waiting(),
        CpuTime.container(SlipwayInfrastructure.postgres().containerId()),
        CpuTime.machine());
  }

  private static long uptimeMillis() {
    return ManagementFactory.getRuntimeMXBean().getUptime();
  }

  /** A statement PostgreSQL was running when sampled, and whether it is a proof's tile read. */
  private record Activity(long at, String what, boolean proof) {}

  /**
   * Samples PostgreSQL's active backends (all kinds: autovacuum too) every 20 ms while {@code on}.
   */
  private static void watchActivity(AtomicBoolean on, List<Activity> seen) {
    try (Connection admin = AuditTestData.admin();
        PreparedStatement sql =
            admin.prepareStatement(
                """
                SELECT backend_type, regexp_replace(left(query, 80), '\\s+', ' ', 'g'),
                       coalesce(wait_event_type || ':' || wait_event, 'CPU')
                  FROM pg_stat_activity
                 WHERE pid <> pg_backend_pid()
                   AND (state = 'active' OR backend_type NOT IN ('client backend',
                        'walwriter', 'checkpointer', 'background writer',
                        'autovacuum launcher', 'logical replication launcher'))
                """)) {
      while (on.get()) {
        long at = System.nanoTime();
        try (ResultSet rows = sql.executeQuery()) {
          while (rows.next()) {
            String query = rows.getString(2);
            seen.add(
                new Activity(
                    at,
                    "[" + rows.getString(1) + ", " + rows.getString(3) + "] " + query,
                    query != null && query.contains("audit_tree_tiles")));
          }
        }
        sleepQuietly(20);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Autovacuum and autoanalyze runs on the audit tables so far. */
  private static long autovacuums() {
    return count(
        "SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables"
            + " WHERE relname LIKE 'audit%'");
  }

  /** The collections the JVM reports while this is open, in JVM uptime milliseconds. */
  private static final class GcEvents
      implements javax.management.NotificationListener, AutoCloseable {

    /** A collection: a pause, or a concurrent cycle (which runs beside the application). */
    record Gc(String name, String cause, long start, long end) {
      long millis() {
        return end - start;
      }

      boolean concurrent() {
        return name.contains("Concurrent");
      }
    }

    private final List<Gc> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    GcEvents() {
      for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((javax.management.NotificationEmitter) gc).addNotificationListener(this, null, null);
      }
    }

    @Override
    public void handleNotification(javax.management.Notification n, Object handback) {
      if (com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
          .equals(n.getType())) {
        var info =
            com.sun.management.GarbageCollectionNotificationInfo.from(
                (javax.management.openmbean.CompositeData) n.getUserData());
        // Sent when the collection ended; GcInfo's own times did not line up with the uptime.
        long end = uptimeMillis();
        seen.add(
            new Gc(info.getGcName(), info.getGcCause(), end - info.getGcInfo().getDuration(), end));
      }
    }

    List<Gc> seen() {
      return List.copyOf(seen);
    }

    /**
     * Collections overlapping {@code [from, to]} (milliseconds, one either side, and the
     * notification may come a few milliseconds after the collection ended).
     */
    List<Gc> during(long from, long to) {
      return seen.stream().filter(g -> g.end() >= from - 1 && g.start() <= to + 5).toList();
    }

    @Override
    public void close() throws Exception {
      for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((javax.management.NotificationEmitter) gc).removeNotificationListener(this);
      }
    }
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
      String topicId,
      int partition,
      long i,
      int step,
      String runId,
      String causationId,
      OffsetDateTime time) {
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
        partition,
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

  /** Scans and tuples read on the audit tables and indexes so far. */
  private static Map<String, Long> tableReads() {
    Map<String, Long> reads = new java.util.TreeMap<>();
    try (Connection admin = AuditTestData.admin();
        Statement sql = admin.createStatement();
        ResultSet rows =
            sql.executeQuery(
                """
                SELECT relname || '.seq_scan', seq_scan FROM pg_stat_user_tables
                 WHERE relname LIKE 'audit%'
                UNION ALL SELECT relname || '.seq_tup_read', seq_tup_read FROM pg_stat_user_tables
                 WHERE relname LIKE 'audit%'
                UNION ALL SELECT indexrelname || '.idx_scan', idx_scan FROM pg_stat_user_indexes
                 WHERE relname LIKE 'audit%'
                UNION ALL SELECT indexrelname || '.idx_tup_read', idx_tup_read
                  FROM pg_stat_user_indexes WHERE relname LIKE 'audit%'
                """)) {
      while (rows.next()) {
        reads.put(rows.getString(1), rows.getLong(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return reads;
  }

  /**
   * CPU used so far, in nanoseconds: by this JVM, by the PostgreSQL and Kafka containers (their
   * cgroups; -1 where this machine does not expose them) and by the whole machine (other builds
   * included), and the wall-clock time, so a figure can say where its time went.
   */
  private record Cpu(long jvm, long postgres, long kafka, long machine, long wall) {
    static final Cpu ZERO = new Cpu(0, 0, 0, 0, 0);

    static Cpu now() {
      return new Cpu(
          processCpuNanos(),
          CpuTime.container(SlipwayInfrastructure.postgres().containerId()),
          CpuTime.container(SlipwayInfrastructure.kafka().containerId()),
          CpuTime.machine(),
          System.nanoTime());
    }

    Cpu minus(Cpu o) {
      return new Cpu(
          jvm - o.jvm, postgres - o.postgres, kafka - o.kafka, machine - o.machine, wall - o.wall);
    }

    Cpu plus(Cpu o) {
      return new Cpu(
          jvm + o.jvm, postgres + o.postgres, kafka + o.kafka, machine + o.machine, wall + o.wall);
    }

    String per(long units) {
      return String.format(
          "this JVM %.1f µs, PostgreSQL %.1f µs, Kafka %.1f µs, everything else on the machine"
              + " %.1f µs; the machine's %d cores were busy %.0f %% of %.1f s",
          jvm / 1e3 / units,
          postgres / 1e3 / units,
          kafka / 1e3 / units,
          (machine - jvm - Math.max(0, postgres) - Math.max(0, kafka)) / 1e3 / units,
          Runtime.getRuntime().availableProcessors(),
          100.0 * machine / wall / Runtime.getRuntime().availableProcessors(),
          wall / 1e9);
    }
  }

  private static long compileMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

package dev.slipway.trigger.bench;

import static dev.slipway.trigger.CommitTopic.recordsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.events.Topics;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Signed GitHub pushes per second through trigger-service (HTTP, signature, dedup rows and outbox
 * in one PostgreSQL transaction: the 202), how fast the relay gets them to Kafka (acks=all),
 * p50/p99 at a fixed rate, and a plain Kafka producer sending the very same record (value and
 * headers) to the same broker with acks=all, measured in the same run. Prints figures; asserts only
 * that every push was accepted.
 */
@Tag("bench")
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class WebhookThroughputBenchmarkIT {

  private static final int CLIENTS = 16;
  private static final Duration WARM_UP = Duration.ofSeconds(8);
  private static final int MAX_WARM_UP_ROUNDS = 6;
  private static final Duration SUSTAINED = Duration.ofSeconds(20);
  private static final Duration RAW = Duration.ofSeconds(8);
  private static final int FIXED_RATE = 200;
  private static final Duration FIXED = Duration.ofSeconds(15);
  private static final int BACKLOG = 20_000;

  @TestHTTPResource("/webhooks/github")
  URL endpoint;

  @TestHTTPResource("/q/metrics")
  URL metrics;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newFixedThreadPool(4))
          .build();

  @Test
  void pushesPerSecondAgainstRawKafka() throws Exception {
    String app = Webhooks.unique("bench");
    String secret = "bench-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);

    // Rounds of warm-up until the JIT compiler is nearly done (at first it takes most of a core,
    // and C2 still compiled 40 s into a run with one round), so the sustained phase measures
    // compiled code, as in a service that has been running.
    long warmUpStart = System.nanoTime();
    int rounds = 0;
    long compiledInRound;
    do {
      long compiledFrom = compileMillis();
      closedLoop(app, secret, WARM_UP);
      awaitOutboxDrained();
      compiledInRound = compileMillis() - compiledFrom;
      rounds++;
    } while (compiledInRound > WARM_UP.toMillis() / 8 && rounds < MAX_WARM_UP_ROUNDS);
    double warmUpSeconds = (System.nanoTime() - warmUpStart) / 1e9;
    double[] transactionsBefore = groupCommits();
    long compiledBefore = compileMillis();
    Recording profile = profileIfAsked();
    CpuUse cpuBefore = CpuUse.now();
    long sustainedStart = System.nanoTime();
    Result sustained = closedLoop(app, secret, SUSTAINED);
    CpuUse cpu = CpuUse.now().minus(cpuBefore);
    if (profile != null) {
      profile.stop();
      profile.close();
    }
    long compiled = compileMillis() - compiledBefore;
    double[] transactionsAfter = groupCommits();
    double perTransaction =
        (transactionsAfter[1] - transactionsBefore[1])
            / (transactionsAfter[0] - transactionsBefore[0]);
    awaitOutboxDrained();
    double endToEnd = sustained.ok() / ((System.nanoTime() - sustainedStart) / 1e9);
    Latencies fixed = openLoop(app, secret, FIXED_RATE, FIXED);
    awaitOutboxDrained();
    double relay = relayBacklog(app, BACKLOG);

    ConsumerRecord<String, byte[]> sample = recordsOf(app).get(0);
    double rawOneAtATime = rawKafka(sample, 1, RAW);
    double rawSameConcurrency = rawKafka(sample, CLIENTS, RAW);
    double rawUnbounded = rawKafka(sample, 0, RAW);

    System.out.printf(
        """

        ==== trigger-service benchmark (2 cores; client, service, Kafka, PostgreSQL share them) ====
        warm-up: %d rounds of %ds in %.0f s; the JIT compiled for %.1f s in the last
        signed GitHub pushes, %d concurrent clients, %ds: %d accepted, %d failed -> %.0f pushes/s accepted (202: stored)
        webhooks per PostgreSQL transaction (group commit) in that phase: %.1f on average
        CPU per accepted push in that phase: %s
        the JIT compiled for %.1f s of that phase
        the same pushes through the relay to Kafka, until the outbox was empty: %.0f records/s end to end
        fixed rate %d/s for %ds (open loop, latency from scheduled send): p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed
        the relay alone, a backlog of %d outbox rows (copies of one push's row) to Kafka, acks=all: %.0f records/s
        raw Kafka producer, same record, acks=all, one send at a time (wait for each ack): %.0f records/s
        raw Kafka producer, same record, acks=all, %d sends in flight (one per client): %.0f records/s
        raw Kafka producer, same record, acks=all, unbounded async batching: %.0f records/s
        ratio trigger-service accepted / raw one at a time: %.0f%%
        ratio trigger-service accepted / raw at same concurrency: %.1f%%
        ratio trigger-service accepted / raw unbounded: %.1f%%
        ratio end to end (accepted and published) / raw at same concurrency: %.1f%%
        ratio relay backlog / raw unbounded: %.1f%%
        ===========================================================================================
        %n""",
        rounds,
        WARM_UP.toSeconds(),
        warmUpSeconds,
        compiledInRound / 1e3,
        CLIENTS,
        SUSTAINED.toSeconds(),
        sustained.ok(),
        sustained.failed(),
        sustained.perSecond(),
        perTransaction,
        cpu.per(Math.max(1, sustained.ok())),
        compiled / 1e3,
        endToEnd,
        FIXED_RATE,
        FIXED.toSeconds(),
        fixed.percentile(50),
        fixed.percentile(99),
        fixed.percentile(100),
        fixed.failed(),
        BACKLOG,
        relay,
        rawOneAtATime,
        CLIENTS,
        rawSameConcurrency,
        rawUnbounded,
        100 * sustained.perSecond() / rawOneAtATime,
        100 * sustained.perSecond() / rawSameConcurrency,
        100 * sustained.perSecond() / rawUnbounded,
        100 * endToEnd / rawSameConcurrency,
        100 * relay / rawUnbounded);

    assertThat(sustained.failed()).isZero();
    assertThat(fixed.failed()).isZero();
  }

  private record Result(long ok, long failed, double perSecond) {}

  /**
   * With {@code -Dbench.jfr=FILE}, a JFR recording ({@code profile} settings) of the sustained
   * phase into FILE; else null.
   */
  private static Recording profileIfAsked() throws Exception {
    String file = System.getProperty("bench.jfr");
    if (file == null || file.isBlank()) {
      return null;
    }
    Recording recording = new Recording(Configuration.getConfiguration("profile"));
    recording.setDestination(Path.of(file));
    recording.start();
    return recording;
  }

  private static long compileMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  /** Group-commit transactions so far and the webhooks they wrote, from /q/metrics. */
  private double[] groupCommits() throws Exception {
    String text =
        http.send(
                HttpRequest.newBuilder(metrics.toURI()).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double[] totals = new double[2];
    for (String line : text.split("\n")) {
      if (line.startsWith("slipway_webhook_group_commit_webhooks_count")) {
        totals[0] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      } else if (line.startsWith("slipway_webhook_group_commit_webhooks_sum")) {
        totals[1] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return totals;
  }

  private static void awaitOutboxDrained() {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                Database.number(
                        "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL")
                    == 0);
  }

  /**
   * Records/s of the relay alone: {@code rows} copies of one of {@code app}'s outbox rows (new
   * event ids) written in one transaction, from that transaction's time to the last row marked sent
   * (both PostgreSQL's clock; the relay finds the rows at its next poll, at most 200 ms later in
   * tests).
   */
  private static double relayBacklog(String app, int rows) {
    String prefix = "relay-bench-" + UUID.randomUUID() + "-";
    Database.update(
        """
        INSERT INTO outbox (event_id, topic, application, event, traceparent)
        SELECT ? || g, t.topic, t.application, t.event, t.traceparent
        FROM (SELECT topic, application, event, traceparent FROM outbox
              WHERE application = ? ORDER BY id DESC LIMIT 1) t,
             generate_series(1, ?) g
        """,
        prefix,
        app,
        rows);
    awaitOutboxDrained();
    double seconds =
        ((Number)
                Database.value(
                    "SELECT extract(epoch FROM max(sent_at) - min(created_at)) FROM outbox"
                        + " WHERE event_id LIKE ?",
                    prefix + "%"))
            .doubleValue();
    return rows / seconds;
  }

  private record Latencies(double[] millis, long failed) {
    double percentile(int p) {
      if (millis.length == 0) {
        return Double.NaN;
      }
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }
  }

  private Result closedLoop(String app, String secret, Duration duration)
      throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + duration.toNanos();
    AtomicInteger threads = new AtomicInteger();
    ExecutorService clients =
        Executors.newFixedThreadPool(
            CLIENTS, task -> new Thread(task, CpuUse.CLIENT_THREAD + threads.incrementAndGet()));
    long start = System.nanoTime();
    for (int i = 0; i < CLIENTS; i++) {
      clients.submit(
          () -> {
            while (System.nanoTime() < end) {
              try {
                int status =
                    http.send(request(app, secret), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                (status == 202 ? ok : failed).incrementAndGet();
              } catch (Exception e) {
                failed.incrementAndGet();
              }
            }
            CpuUse.clientEnding();
          });
    }
    clients.shutdown();
    clients.awaitTermination(duration.toSeconds() + 30, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(ok.get(), failed.get(), ok.get() / seconds);
  }

  private Latencies openLoop(String app, String secret, int rate, Duration duration)
      throws Exception {
    int total = (int) (rate * duration.toSeconds());
    long intervalNanos = 1_000_000_000L / rate;
    List<CompletableFuture<Double>> sent = new ArrayList<>(total);
    List<HttpRequest> requests = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      requests.add(request(app, secret));
    }
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long scheduled = start + i * intervalNanos;
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      sent.add(
          http.sendAsync(requests.get(i), HttpResponse.BodyHandlers.discarding())
              .handle(
                  (response, failure) ->
                      failure == null && response.statusCode() == 202
                          ? (System.nanoTime() - scheduled) / 1e6
                          : -1.0));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    double[] millis =
        sent.stream().mapToDouble(CompletableFuture::join).filter(m -> m >= 0).toArray();
    return new Latencies(millis, total - millis.length);
  }

  /** A signed push of a commit never pushed before, under a new delivery id. */
  private HttpRequest request(String app, String secret) {
    String body = Webhooks.pushOfANewCommit(app);
    Map<String, String> signed =
        Webhooks.github("push", UUID.randomUUID().toString(), secret, body);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(endpoint.toString()))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    signed.forEach(
        (name, value) -> {
          if (!name.equalsIgnoreCase("User-Agent")) {
            request.header(name, value);
          }
        });
    return request.build();
  }

  /** Records/s of a plain producer; {@code inFlight} senders each waiting for their ack, or 0. */
  private static double rawKafka(
      ConsumerRecord<String, byte[]> sample, int inFlight, Duration duration) throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            SlipwayInfrastructure.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            1);
    List<Header> headers = List.of(sample.headers().toArray());
    AtomicLong acked = new AtomicLong();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(Topics.COMMIT_RECEIVED, null, sample.key(), sample.value(), headers);
      producer.send(record).get();
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      if (inFlight > 0) {
        ExecutorService senders = Executors.newFixedThreadPool(inFlight);
        for (int i = 0; i < inFlight; i++) {
          senders.submit(
              () -> {
                while (System.nanoTime() < end) {
                  producer.send(record).get();
                  acked.incrementAndGet();
                }
                return null;
              });
        }
        senders.shutdown();
        senders.awaitTermination(duration.toSeconds() + 30, TimeUnit.SECONDS);
      } else {
        while (System.nanoTime() < end) {
          producer.send(
              record,
              (metadata, failure) -> {
                if (failure == null) {
                  acked.incrementAndGet();
                }
              });
        }
        producer.flush();
      }
      return acked.get() / ((System.nanoTime() - start) / 1e9);
    }
  }
}

package dev.slipway.trigger.bench;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.ManyApplications;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * trigger-service with 10,000 registered applications (inserted into its database directly, as a
 * large installation would have them): signed pushes at 200 per second to applications' own URLs
 * and to the host-wide URL, latency from the scheduled send (p50/p99/max); then 40 clients sending
 * forged 5 MiB webhooks without pause, while {@code /q/health/live} is timed every 20 ms. Prints
 * figures; asserts only that every signed push was accepted and every forged one refused.
 */
@Tag("bench")
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ScaleBenchmarkIT {

  private static final int APPLICATIONS = 10_000;
  private static final int RATE = 200;
  private static final Duration WARM_UP = Duration.ofSeconds(5);
  private static final Duration FIXED = Duration.ofSeconds(15);
  private static final int FORGERS = 40;
  private static final int FORGED_BYTES = 5 * 1024 * 1024;
  private static final Duration FORGING = Duration.ofSeconds(10);
  private static final Duration PROBE_EVERY = Duration.ofMillis(20);

  @TestHTTPResource("/")
  URL root;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newFixedThreadPool(8))
          .build();

  @Test
  void tenThousandApplications() throws Exception {
    String prefix = "scale" + UUID.randomUUID().toString().substring(0, 6);
    long inserted = insertApplications(prefix);
    long total = Database.number("SELECT count(*) FROM applications");
    await().atMost(Duration.ofMinutes(2)).until(() -> registryApplications() >= total);

    // Both paths warmed up (JIT, connection pools) before either is measured.
    fixedRate(prefix, false, WARM_UP);
    fixedRate(prefix, true, WARM_UP);
    Latencies own = fixedRate(prefix, true, FIXED);
    Latencies hostWide = fixedRate(prefix, false, FIXED);
    long drainStart = System.nanoTime();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                Database.number(
                        "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL")
                    == 0);
    double drainSeconds = (System.nanoTime() - drainStart) / 1e9;

    Latencies idleLive = probeLive(Duration.ofSeconds(3), () -> {}, () -> false);
    Forging burst = new Forging(prefix, 1);
    long burstStart = System.nanoTime();
    Latencies burstLive = probeLive(FORGING.multipliedBy(6), burst::start, burst::done);
    double burstSeconds = (System.nanoTime() - burstStart) / 1e9;
    burst.stop();
    Forging flood = new Forging(prefix, 200);
    Latencies forgedLive = probeLive(FORGING, flood::start, () -> false);
    flood.stop();

    System.out.printf(
        """

        ==== trigger-service at scale (2 cores; client, service, Kafka, PostgreSQL share them) ====
        registered applications: %d (%d inserted for this run), index loaded
        signed pushes at %d/s for %ds to applications' own URLs:  p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed
        signed pushes at %d/s for %ds to the host-wide URL:       p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed
        outbox drained %.1f s after the last push
        /q/health/live, idle (every %d ms):                        p50 %.1f ms, p99 %.1f ms, max %.1f ms
        /q/health/live while %d forged %d MiB webhooks arrive at once (all answered in %.1f s): p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d probes), %d of %d answered 401
        /q/health/live while %d clients send forged %d MiB webhooks back to back for %ds: p50 %.1f ms, p99 %.1f ms, max %.1f ms
        forged webhooks answered in that flood: %d (401: %d, other: %d), %.0f MiB/s of forged bodies
        ===========================================================================================
        %n""",
        total,
        inserted,
        RATE,
        FIXED.toSeconds(),
        own.percentile(50),
        own.percentile(99),
        own.percentile(100),
        own.failed(),
        RATE,
        FIXED.toSeconds(),
        hostWide.percentile(50),
        hostWide.percentile(99),
        hostWide.percentile(100),
        hostWide.failed(),
        drainSeconds,
        PROBE_EVERY.toMillis(),
        idleLive.percentile(50),
        idleLive.percentile(99),
        idleLive.percentile(100),
        FORGERS,
        FORGED_BYTES / (1024 * 1024),
        burstSeconds,
        burstLive.percentile(50),
        burstLive.percentile(99),
        burstLive.percentile(100),
        burstLive.millis().length,
        burst.refused.get(),
        FORGERS,
        FORGERS,
        FORGED_BYTES / (1024 * 1024),
        FORGING.toSeconds(),
        forgedLive.percentile(50),
        forgedLive.percentile(99),
        forgedLive.percentile(100),
        flood.answered.get(),
        flood.refused.get(),
        flood.answered.get() - flood.refused.get(),
        flood.answered.get() * (FORGED_BYTES / 1048576.0) / FORGING.toSeconds());

    assertThat(own.failed()).isZero();
    assertThat(hostWide.failed()).isZero();
    assertThat(burst.refused.get()).isEqualTo(FORGERS);
    assertThat(flood.refused.get()).isEqualTo(flood.answered.get());
  }

  /** Inserts the applications straight into the database, secrets sealed as the service does. */
  private static long insertApplications(String prefix) throws Exception {
    ManyApplications.insert(prefix, APPLICATIONS);
    return APPLICATIONS;
  }

  private static String secret(String prefix, int i) {
    return ManyApplications.secret(prefix, i);
  }

  private Latencies fixedRate(String prefix, boolean ownUrl, Duration duration) throws Exception {
    int total = (int) (RATE * duration.toSeconds());
    long interval = 1_000_000_000L / RATE;
    List<CompletableFuture<Double>> sent = new ArrayList<>(total);
    List<HttpRequest> requests = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      int app = ThreadLocalRandom.current().nextInt(APPLICATIONS);
      String name = prefix + "-" + app;
      String body = Webhooks.pushOfANewCommit(name);
      requests.add(
          request(
              ownUrl ? "webhooks/github/" + name : "webhooks/github",
              body.getBytes(StandardCharsets.UTF_8),
              Webhooks.github("push", UUID.randomUUID().toString(), secret(prefix, app), body)));
    }
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long scheduled = start + i * interval;
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
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    double[] millis =
        sent.stream().mapToDouble(CompletableFuture::join).filter(m -> m >= 0).toArray();
    return new Latencies(millis, total - millis.length);
  }

  /**
   * {@code /q/health/live} every 20 ms from a separate curl process (so the test JVM's own pauses
   * are not counted), while {@code load} runs, for {@code duration} or until {@code over}.
   */
  private Latencies probeLive(Duration duration, Runnable load, BooleanSupplier over)
      throws Exception {
    int probes = (int) (duration.toMillis() / PROBE_EVERY.toMillis());
    // Line-buffered, so every answered probe is in the file when the process is stopped.
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "curl", "-s"));
    command.addAll(List.of("--rate", (1000 / PROBE_EVERY.toMillis()) + "/s"));
    command.addAll(List.of("-w", "%{http_code} %{time_total}\\n"));
    String live = root.toURI().resolve("q/health/live").toString();
    for (int i = 0; i < probes; i++) {
      command.addAll(List.of("-o", "/dev/null", live));
    }
    Path output = Files.createTempFile("live-", ".txt");
    output.toFile().deleteOnExit();
    Process prober = new ProcessBuilder(command).redirectOutput(output.toFile()).start();
    load.run();
    long end = System.nanoTime() + duration.toNanos();
    while (prober.isAlive() && System.nanoTime() < end && !over.getAsBoolean()) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    prober.destroy();
    prober.waitFor();
    List<Double> millis = new ArrayList<>();
    long failed = 0;
    for (String line : Files.readAllLines(output)) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2 && parts[0].equals("200")) {
        millis.add(Double.parseDouble(parts[1]) * 1000);
      } else if (!line.isBlank()) {
        failed++;
      }
    }
    return new Latencies(millis.stream().mapToDouble(Double::doubleValue).toArray(), failed);
  }

  /**
   * Forty curl processes posting forged 5 MiB webhooks (a valid push of a registered repository,
   * padded, signed with a wrong secret), {@code rounds} each back to back, half to the host-wide
   * URL, half to applications' own URLs; separate processes, so sending costs nothing in the
   * service's JVM.
   */
  private final class Forging {
    final AtomicLong answered = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    private final List<Process> forgers = new ArrayList<>();
    private final List<Path> outputs = new ArrayList<>();
    private final String prefix;
    private final int rounds;

    Forging(String prefix, int rounds) {
      this.prefix = prefix;
      this.rounds = rounds;
    }

    boolean done() {
      return forgers.stream().noneMatch(Process::isAlive);
    }

    void start() {
      try {
        List<List<String>> commands = new ArrayList<>();
        for (int client = 0; client < FORGERS; client++) {
          String name = prefix + "-" + client;
          String push = Webhooks.payload("github-push.json", "acme/" + name);
          String padded =
              push.substring(0, push.lastIndexOf('}'))
                  + ", \"padding\": \""
                  + "x".repeat(FORGED_BYTES - push.length() - 20)
                  + "\"}";
          Path body = Files.createTempFile("forged-", ".json");
          body.toFile().deleteOnExit();
          Files.writeString(body, padded);
          List<String> command =
              new ArrayList<>(
                  List.of(
                      "stdbuf",
                      "-oL",
                      "curl",
                      "-s",
                      "-w",
                      "%{http_code}\\n",
                      "-X",
                      "POST",
                      "--data-binary",
                      "@" + body));
          Webhooks.github("push", "forged", "not-the-secret", "anything")
              .forEach((header, value) -> command.addAll(List.of("-H", header + ": " + value)));
          command.addAll(List.of("-H", "Content-Type: application/json"));
          String url =
              root.toURI()
                  .resolve(client % 2 == 0 ? "webhooks/github" : "webhooks/github/" + name)
                  .toString();
          for (int round = 0; round < rounds; round++) {
            command.addAll(List.of("-o", "/dev/null", url));
          }
          commands.add(command);
        }
        for (List<String> command : commands) {
          Path output = Files.createTempFile("forger-", ".txt");
          output.toFile().deleteOnExit();
          outputs.add(output);
          forgers.add(new ProcessBuilder(command).redirectOutput(output.toFile()).start());
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    void stop() throws Exception {
      for (Process forger : forgers) {
        forger.destroy();
        forger.waitFor();
      }
      for (Path output : outputs) {
        for (String code : Files.readAllLines(output)) {
          if (!code.isBlank()) {
            answered.incrementAndGet();
            if (code.trim().equals("401")) {
              refused.incrementAndGet();
            }
          }
        }
      }
    }
  }

  private HttpRequest request(String path, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(root.toString()).resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(
        (name, value) -> {
          if (!name.equalsIgnoreCase("User-Agent")) {
            request.header(name, value);
          }
        });
    return request.build();
  }

  private static double registryApplications() {
    String metrics = given().get("/q/metrics").asString();
    return metrics
        .lines()
        .filter(line -> line.startsWith("slipway_registry_applications "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
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
}

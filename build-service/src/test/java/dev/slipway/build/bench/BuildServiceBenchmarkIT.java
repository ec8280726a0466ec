package dev.slipway.build.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.events.BuildDone;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The platform's overhead per build, against the raw tools in the same run: no-op one-step builds
 * of a local repository into a one-file image ({@code FROM scratch}), measured from commit.received
 * on Kafka to build.done on Kafka and split into stages; builds per minute with 4 workers; a bare
 * JGit clone and a bare {@code buildah build} + {@code buildah push} of the same Dockerfile; and a
 * second build of an unchanged npm project with its dependencies cached. Also prints what a user
 * sees following a build's log. Prints figures; asserts only that every build succeeded.
 */
@Tag("bench")
@QuarkusTest
@TestProfile(BuildServiceBenchmarkIT.FourWorkers.class)
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildServiceBenchmarkIT {

  private static final int SEQUENTIAL = 100;
  private static final int WARM_UP = 3;
  private static final int CONCURRENT = 48;
  private static final int RAW = 20;
  private static final String NOOP_STEP = "noop";

  /** Four workers, and a lease long enough that a busy 2-core machine never loses one. */
  public static class FourWorkers implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("slipway.build.workers", "4", "slipway.build.lease", "30s");
    }
  }

  @TestHTTPResource("/api/builds")
  URL api;

  private final BuildConfig config;
  private final Map<String, Arrival> arrivals = new ConcurrentHashMap<>();
  private final AtomicBoolean listening = new AtomicBoolean();
  private Thread listener;

  BuildServiceBenchmarkIT(BuildConfig config) {
    this.config = config;
  }

  /** A build.done as it arrived at a consumer: when, and what it said. */
  private record Arrival(Instant at, BuildDone done) {}

  /** One build's figures in milliseconds. */
  private record Sample(
      double total,
      double queue,
      double cloning,
      double steps,
      double image,
      double push,
      double sbom,
      double otherInBuild,
      double publish) {}

  @BeforeEach
  void listenToBuildDone() throws InterruptedException {
    listening.set(true);
    AtomicBoolean assigned = new AtomicBoolean();
    listener =
        new Thread(
            () -> {
              try (KafkaConsumer<String, byte[]> consumer =
                  new KafkaConsumer<>(
                      Map.of(
                          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                          SlipwayInfrastructure.bootstrapServers(),
                          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                          false),
                      new StringDeserializer(),
                      new ByteArrayDeserializer())) {
                List<TopicPartition> partitions =
                    consumer.partitionsFor(Topics.BUILD_DONE).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                assigned.set(true);
                while (listening.get()) {
                  for (ConsumerRecord<String, byte[]> record :
                      consumer.poll(Duration.ofMillis(20))) {
                    Instant at = Instant.now();
                    arrivals.put(
                        KafkaTestClient.header(record, "ce_runid"),
                        new Arrival(at, EventJson.readPayload(record.value(), BuildDone.class)));
                  }
                }
              }
            },
            "bench-build-done-listener");
    listener.setDaemon(true);
    listener.start();
    Instant deadline = Instant.now().plusSeconds(30);
    while (!assigned.get() && Instant.now().isBefore(deadline)) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    assertThat(assigned).isTrue();
  }

  @AfterEach
  void stopListening() throws InterruptedException {
    listening.set(false);
    listener.join(5_000);
  }

  @Test
  void overheadPerBuildThroughputRawLimitAndCache() throws Exception {
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: noop
                    run: "true"
                image:
                  builder: dockerfile
                """,
                "Dockerfile",
                "FROM scratch\nCOPY hello.txt /hello.txt\n",
                "hello.txt",
                "hello from a no-op build\n"));
    String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 6);

    String transcript = followOneBuild(repo, prefix + "-follow");
    for (int i = 0; i < WARM_UP; i++) {
      awaitDone(send(prefix + "-warm-" + i, repo), Duration.ofSeconds(60));
    }

    long sequentialStart = System.nanoTime();
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < SEQUENTIAL; i++) {
      Sent sent = send(prefix + "-seq-" + i, repo);
      samples.add(sample(sent, awaitDone(sent, Duration.ofSeconds(60))));
    }
    double sequentialSeconds = (System.nanoTime() - sequentialStart) / 1e9;

    Instant concurrentStart = Instant.now();
    List<Sent> queued = new ArrayList<>();
    for (int i = 0; i < CONCURRENT; i++) {
      queued.add(send(prefix + "-par-" + i, repo));
    }
    Instant lastDone = concurrentStart;
    for (Sent sent : queued) {
      Arrival arrival = awaitDone(sent, Duration.ofMinutes(3));
      lastDone = arrival.at().isAfter(lastDone) ? arrival.at() : lastDone;
    }
    double concurrentSeconds = Duration.between(concurrentStart, lastDone).toMillis() / 1000.0;

    double[] rawClone = rawClones(repo);
    double[][] rawImage = rawBuildahBuildAndPush(repo);

    CacheRun cache = cachedSecondBuild(prefix + "-npm");

    print(
        samples,
        sequentialSeconds,
        concurrentSeconds,
        rawClone,
        rawImage[0],
        rawImage[1],
        cache,
        transcript);
  }

  /** A commit.received on Kafka (acknowledged), and when it got there. */
  private record Sent(Envelope<CommitReceived> event, Instant at) {}

  private Sent send(String application, GitFixture.Repo repo) {
    Envelope<CommitReceived> event = Builds.commit(application, repo, "refs/heads/main", "bench");
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
    return new Sent(event, Instant.now());
  }

  private Arrival awaitDone(Sent sent, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Arrival arrival = arrivals.get(sent.event().runId());
      if (arrival != null) {
        assertThat(arrival.done().status())
            .as("build of %s: %s", sent.event().subject(), arrival.done().failure())
            .isEqualTo(BuildDone.BuildStatus.SUCCEEDED);
        return arrival;
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
    throw new AssertionError("no build.done for " + sent.event().subject() + " in " + timeout);
  }

  private Sample sample(Sent sent, Arrival arrival) {
    JsonPath build = Builds.one(arrival.done().buildId());
    Instant started = OffsetDateTime.parse(build.getString("startedAt")).toInstant();
    Instant finished = OffsetDateTime.parse(build.getString("finishedAt")).toInstant();
    Map<String, Long> stages = arrival.done().stageDurationsMs();
    double clone = stages.getOrDefault("clone", 0L);
    double steps = stages.getOrDefault(NOOP_STEP, 0L);
    double image = stages.getOrDefault("image", 0L);
    double push = stages.getOrDefault("push", 0L);
    double sbom = stages.getOrDefault("sbom", 0L);
    double staged = clone + steps + image + push + sbom;
    return new Sample(
        Duration.between(sent.at(), arrival.at()).toMillis(),
        Duration.between(sent.at(), started).toMillis(),
        clone,
        steps,
        image,
        push,
        sbom,
        arrival.done().durationMs() - staged,
        Duration.between(finished, arrival.at()).toMillis());
  }

  /** Follows a build's log as a user would, and returns what arrived, with arrival times. */
  private String followOneBuild(GitFixture.Repo repo, String application) throws Exception {
    Sent sent = send(application, repo);
    String id = null;
    Instant deadline = Instant.now().plusSeconds(30);
    while (id == null && Instant.now().isBefore(deadline)) {
      List<String> ids = Builds.list(application).getList("builds.id");
      id = ids.isEmpty() ? null : ids.get(0);
      if (id == null) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
    assertThat(id).as("build of %s queued", application).isNotNull();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api + "/" + id + "/log?follow=true"))
            .header("Authorization", "Bearer " + TestTokens.token("vera", "viewer"))
            .header("Accept", "text/event-stream")
            .build();
    StringBuilder transcript = new StringBuilder();
    transcript
        .append("$ curl -N -H 'Authorization: Bearer …' '")
        .append(request.uri())
        .append("'\n");
    HttpResponse<java.io.InputStream> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        long ms = Duration.between(sent.at(), Instant.now()).toMillis();
        transcript.append(String.format("%6d ms | %s%n", ms, line));
      }
    }
    awaitDone(sent, Duration.ofSeconds(60));
    return transcript.toString();
  }

  private double[] rawClones(GitFixture.Repo repo) throws Exception {
    double[] millis = new double[RAW];
    for (int i = 0; i < RAW; i++) {
      Path dir = Files.createTempDirectory(Path.of("target"), "raw-clone");
      long start = System.nanoTime();
      try (Git git = Git.cloneRepository().setURI(repo.url()).setDirectory(dir.toFile()).call()) {
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
      delete(dir);
    }
    return millis;
  }

  /** Bare Buildah with the service's storage and flags: build times and push times. */
  private double[][] rawBuildahBuildAndPush(GitFixture.Repo repo) throws Exception {
    double[] build = new double[RAW];
    double[] push = new double[RAW];
    Path digest = Path.of("target", "raw-digest.txt").toAbsolutePath();
    for (int i = 0; i < RAW; i++) {
      String reference = OciRegistry.address() + "/bench-raw:" + i;
      long start = System.nanoTime();
      buildah(
          "bud",
          "--isolation",
          "chroot",
          "--tls-verify=false",
          "-f",
          repo.dir().resolve("Dockerfile").toString(),
          "-t",
          reference,
          repo.dir().toString());
      long built = System.nanoTime();
      buildah(
          "push",
          "--tls-verify=false",
          "--digestfile",
          digest.toString(),
          reference,
          "docker://" + reference);
      long pushed = System.nanoTime();
      buildah("rmi", "-f", reference);
      build[i] = (built - start) / 1e6;
      push[i] = (pushed - built) / 1e6;
    }
    return new double[][] {build, push};
  }

  private void buildah(String... args) throws Exception {
    Path storage = Path.of("target", "buildah").toAbsolutePath();
    List<String> argv =
        new ArrayList<>(
            List.of(
                "buildah",
                "--storage-driver",
                "vfs",
                "--root",
                storage.resolve("root").toString(),
                "--runroot",
                storage.resolve("run").toString()));
    argv.addAll(Arrays.asList(args));
    Process process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("buildah %s", args[0]).isZero();
  }

  /** Two builds of one npm project whose lockfile did not change between them. */
  private record CacheRun(
      double firstTotal,
      double secondTotal,
      Map<String, Long> firstStages,
      Map<String, Long> secondStages) {}

  private CacheRun cachedSecondBuild(String application) throws Exception {
    GitFixture.Repo first =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                cache:
                  key: [package-lock.json]
                  paths: [node_modules]
                steps:
                  - name: install
                    run: |
                      if [ -z "$(ls -A node_modules 2>/dev/null)" ]; then
                        echo "node_modules is empty: installing (3 s, as a download would take)"
                        sleep 3
                        mkdir -p node_modules/left-pad
                        echo "module.exports = (s) => s;" > node_modules/left-pad/index.js
                      else
                        echo "node_modules restored from the cache: nothing to install"
                      fi
                image:
                  builder: dockerfile
                """,
                "Dockerfile",
                "FROM scratch\nCOPY package.json /app/package.json\n",
                "package.json",
                """
                {"name": "shop", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}}
                """,
                "package-lock.json",
                """
                {"name": "shop", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
                 "packages": {
                  "": {"name": "shop", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}},
                  "node_modules/left-pad": {"version": "1.3.0",
                   "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"}
                 }}
                """));
    Sent one = send(application, first);
    Arrival firstDone = awaitDone(one, Duration.ofSeconds(60));
    GitFixture.Repo second =
        first.commit(Map.of("README.md", "A change that is not a dependency.\n"));
    Sent two = send(application, second);
    Arrival secondDone = awaitDone(two, Duration.ofSeconds(60));
    return new CacheRun(
        Duration.between(one.at(), firstDone.at()).toMillis(),
        Duration.between(two.at(), secondDone.at()).toMillis(),
        firstDone.done().stageDurationsMs(),
        secondDone.done().stageDurationsMs());
  }

  private void print(
      List<Sample> samples,
      double sequentialSeconds,
      double concurrentSeconds,
      double[] rawClone,
      double[] rawBuild,
      double[] rawPush,
      CacheRun cache,
      String transcript) {
    double rawTotal = p(rawClone, 50) + p(rawBuild, 50) + p(rawPush, 50);
    double total50 = p(samples, Sample::total, 50);
    StringBuilder out = new StringBuilder();
    out.append(
        """

        ==== build-service benchmark (2 cores; service, Kafka, PostgreSQL, registry and Buildah share them) ====
        no-op one-step builds of a local repository (file://) into a one-file image (FROM scratch),
        Buildah (vfs, chroot) pushing to the loopback registry, SBOM artifact pushed next to it.
        commit.received acknowledged on Kafka -> build.done received from Kafka, one build at a time:
        """);
    out.append(
        String.format(
            "%-44s %9s %9s %9s%n",
            "stage (" + samples.size() + " builds)", "p50 ms", "p99 ms", "max ms"));
    Map<String, ToDoubleFunction<Sample>> rows = new LinkedHashMap<>();
    rows.put("total commit.received -> build.done", Sample::total);
    rows.put("  queue (consumed, stored, claimed)", Sample::queue);
    rows.put("  clone (JGit, at the commit)", Sample::cloning);
    rows.put("  steps (the no-op step's process)", Sample::steps);
    rows.put("  image (buildah bud)", Sample::image);
    rows.put("  push (buildah push)", Sample::push);
    rows.put("  sbom (generate + push the artifact)", Sample::sbom);
    rows.put("  rest of the build (config, workspace, rmi)", Sample::otherInBuild);
    rows.put("  publish (record + outbox + Kafka ack)", Sample::publish);
    rows.forEach(
        (name, f) ->
            out.append(
                String.format(
                    "%-44s %9.0f %9.0f %9.0f%n",
                    name, p(samples, f, 50), p(samples, f, 99), p(samples, f, 100))));
    out.append(
        String.format(
            "one at a time: %d builds in %.1f s -> %.1f builds/min%n",
            samples.size(), sequentialSeconds, samples.size() * 60 / sequentialSeconds));
    out.append(
        String.format(
            "4 workers: %d builds queued at once, all done in %.1f s -> %.1f builds/min%n",
            CONCURRENT, concurrentSeconds, CONCURRENT * 60 / concurrentSeconds));
    out.append(
        String.format(
            """
            raw limit, same machine, same run (%d each, p50 / p99 ms):
              bare JGit clone of the same repository            %7.0f / %.0f
              bare buildah bud, same Dockerfile and storage     %7.0f / %.0f
              bare buildah push to the same registry            %7.0f / %.0f
              raw build total (clone + bud + push)              %7.0f ms -> %.1f builds/min one at a time
            ratio platform p50 / raw p50: %.2fx (overhead %.0f ms per build: queue, steps, SBOM, publish, bookkeeping)
            ratio per stage, service / bare: clone %.2fx, image %.2fx, push %.2fx
            """,
            RAW,
            p(rawClone, 50),
            p(rawClone, 99),
            p(rawBuild, 50),
            p(rawBuild, 99),
            p(rawPush, 50),
            p(rawPush, 99),
            rawTotal,
            60_000 / rawTotal,
            total50 / rawTotal,
            total50 - rawTotal,
            p(samples, Sample::cloning, 50) / p(rawClone, 50),
            p(samples, Sample::image, 50) / p(rawBuild, 50),
            p(samples, Sample::push, 50) / p(rawPush, 50)));
    out.append(
        String.format(
            """
            cache: an npm project (cache: node_modules keyed by package-lock.json) built twice, the
            lockfile unchanged; its install step fills node_modules (3 s) only when it is empty:
              first build   %6.0f ms total, install %5d ms, cache-restore %d ms, cache-save %d ms
              second build  %6.0f ms total, install %5d ms, cache-restore %d ms, cache-save %s
              second / first: %.2fx
            """,
            cache.firstTotal(),
            cache.firstStages().getOrDefault("install", -1L),
            cache.firstStages().getOrDefault("cache-restore", -1L),
            cache.firstStages().getOrDefault("cache-save", -1L),
            cache.secondTotal(),
            cache.secondStages().getOrDefault("install", -1L),
            cache.secondStages().getOrDefault("cache-restore", -1L),
            cache.secondStages().containsKey("cache-save")
                ? cache.secondStages().get("cache-save") + " ms (entry kept)"
                : "-",
            cache.secondTotal() / cache.firstTotal()));
    out.append("following a build's log (GET /api/builds/{id}/log?follow=true), as it arrived:\n");
    out.append(transcript);
    out.append(
        "==========================================================================================\n");
    System.out.println(out);
  }

  private static double p(List<Sample> samples, ToDoubleFunction<Sample> f, int percentile) {
    return p(samples.stream().mapToDouble(f).toArray(), percentile);
  }

  private static double p(double[] values, int percentile) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
  }

  private static void delete(Path dir) {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

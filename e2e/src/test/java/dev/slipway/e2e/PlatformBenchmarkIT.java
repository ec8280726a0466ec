package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.launcher.demo.GitHubPush;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.launcher.demo.PlatformClient.Answer;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The platform's own cost per run ({@code ./slipway bench platform}): webhook to prod's deploy.done
 * for an application whose build is one no-op step and a one-file image, promoted automatically
 * through dev, staging and prod, 50 runs one after another, split by stage. Against it, in the same
 * run, the floor no platform goes below: build-service's own timing of the work (clone, step,
 * image, push), a Deployment created straight in the sandbox and read until available (fabric8
 * alone), and the raw Kafka hop between two services, one record at a time. Memory of every process
 * at rest and under the load. Prints figures; asserts only that every run reached prod.
 */
@Tag("bench")
class PlatformBenchmarkIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APP = "bench-app";
  private static final int WARM_UP = 5;
  private static final int RUNS = 50;
  private static final List<String> ENVIRONMENTS = List.of("dev", "staging", "prod");
  private static final PersonIdent AUTHOR = new PersonIdent("Bench Mark", "bench@example.com");
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  private static PlatformUnderTest platform;
  private static PlatformClient client;
  private final String secret = UUID.randomUUID().toString();

  @BeforeAll
  static void startPlatform() {
    platform = PlatformUnderTest.shared();
    client = new PlatformClient(platform.endpoints());
  }

  @Test
  void fiftyRunsFromWebhookToProduction() throws Exception {
    Path work = Files.createTempDirectory("bench-app");
    // A fresh repository each run: the platform's working directory outlives a run.
    Path bare = Files.createTempDirectory(platform.gitRoot(), APP).resolve(APP + ".git");
    Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
    Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
    git.remoteAdd().setName("origin").setUri(new URIish(bare.toUri().toString())).call();
    Files.writeString(
        work.resolve(".slipway.yaml"),
        """
        version: 1
        steps:
          - name: noop
            run: "true"
        image:
          builder: files
          files: [index.html]
          entrypoint: [/index.html]
          port: 8080
        """);
    register("file://" + bare);

    Map<String, Long> atRest = platform.residentMegabytes();
    atRest.putAll(containerMegabytes());
    for (int i = 0; i < WARM_UP; i++) {
      measure(git, work, "warm-up " + i);
    }

    Map<String, Long> peak = new LinkedHashMap<>();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> {
          Map<String, Long> now = platform.residentMegabytes();
          now.putAll(containerMegabytes());
          now.forEach((name, mb) -> peak.merge(name, mb, Math::max));
        },
        0,
        1,
        TimeUnit.SECONDS);
    List<RunTimes> runs = new ArrayList<>();
    Instant started = Instant.now();
    try {
      for (int i = 0; i < RUNS; i++) {
        runs.add(measure(git, work, "run " + i));
      }
    } finally {
      sampler.shutdown();
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    }
    Duration elapsed = Duration.between(started, Instant.now());
    git.close();
    double hop = rawKafkaHopMillis();
    double rollout = rawRolloutMillis();

    System.out.printf(
        "%nplatform: %d runs webhook -> prod deploy.done, one at a time, in %.1f s%n",
        RUNS, elapsed.toMillis() / 1000.0);
    System.out.printf("  %-34s %9s %9s %9s%n", "stage (ms)", "p50", "p99", "max");
    for (String stage : RunTimes.STAGES) {
      List<Long> values = runs.stream().map(r -> r.stages().get(stage)).toList();
      System.out.printf(
          "  %-34s %9d %9d %9d%n",
          stage, percentile(values, 50), percentile(values, 99), percentile(values, 100));
    }
    List<Long> totals = runs.stream().map(RunTimes::totalMs).toList();
    // The floor: the build's own work (clone, step, image, push), each environment's rollout done
    // straight against the sandbox, and the five Kafka hops between services.
    List<Long> buildWork = runs.stream().map(RunTimes::buildWorkMs).toList();
    long hops = 5;
    double floor = percentile(buildWork, 50) + ENVIRONMENTS.size() * rollout + hops * hop;
    System.out.printf(
        "raw, same run: build work p50 %d ms; one rollout with fabric8 alone (create Deployment,"
            + " read until available) p50 %.1f ms; one Kafka hop (acks=all, one at a time) p50"
            + " %.1f ms%n",
        percentile(buildWork, 50), rollout, hop);
    System.out.printf(
        "  floor = build work + %d rollouts + %d hops = %.0f ms; platform p50 %d ms = %.1f x the"
            + " floor (p99 %d ms)%n",
        ENVIRONMENTS.size(),
        hops,
        floor,
        percentile(totals, 50),
        percentile(totals, 50) / floor,
        percentile(totals, 99));
    System.out.printf("memory (RSS / container usage, MB): %-18s %8s %8s%n", "", "rest", "peak");
    long restSum = 0;
    long peakSum = 0;
    for (String name : atRest.keySet()) {
      long rest = atRest.get(name);
      long top = peak.getOrDefault(name, rest);
      restSum += rest;
      peakSum += top;
      System.out.printf("  %-52s %8d %8d%n", name, rest, top);
    }
    System.out.printf("  %-52s %8d %8d%n", "whole platform", restSum, peakSum);

    assertThat(runs).hasSize(RUNS);
  }

  /** Commits a change, sends its webhook and waits for prod's deploy.done; the run's timings. */
  private RunTimes measure(Git git, Path work, String label) throws Exception {
    Files.writeString(work.resolve("index.html"), label + " " + UUID.randomUUID());
    git.add().addFilepattern(".").call();
    RevCommit commit =
        git.commit().setMessage(label).setAuthor(AUTHOR).setCommitter(AUTHOR).setSign(false).call();
    for (var result : git.push().setRemote("origin").add("main").call()) {
      result
          .getRemoteUpdates()
          .forEach(
              update ->
                  assertThat(update.getStatus())
                      .as("push of " + label)
                      .isEqualTo(org.eclipse.jgit.transport.RemoteRefUpdate.Status.OK));
    }
    byte[] body = GitHubPush.body(APP, commit.getName(), label, AUTHOR, "bench");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("X-GitHub-Event", "push");
    headers.put("X-GitHub-Delivery", UUID.randomUUID().toString());
    headers.put("X-Hub-Signature-256", "sha256=" + hmac(body));
    Instant sent = Instant.now();
    String runId =
        client
            .postRaw(platform.endpoints().trigger() + "/webhooks/github/" + APP, headers, body)
            .expect(202)
            .json()
            .path("runId")
            .asText();
    String viewer = TestTokens.token("bench", "viewer", "auditor");
    Instant deadline = sent.plus(RUN_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      Answer answer = client.get(platform.endpoints().audit() + "/api/audit/runs/" + runId, viewer);
      if (answer.status() == 200) {
        JsonNode events = answer.json().path("events");
        for (JsonNode event : events) {
          if ("deploy.done".equals(event.path("topic").asText())
              && "prod".equals(event.path("environment").asText())) {
            assertThat(event.path("status").asText()).as(label).isEqualTo("SUCCEEDED");
            return RunTimes.of(sent, events);
          }
          if ("build.done".equals(event.path("topic").asText())
              && !"SUCCEEDED".equals(event.path("status").asText())) {
            throw new AssertionError(label + ": build " + event.path("event").path("data"));
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError(label + ": no prod deploy.done within " + RUN_TIMEOUT);
  }

  private void register(String cloneUrl) {
    ObjectNode app = JSON.createObjectNode();
    app.put("name", APP);
    app.put("repositoryUrl", "https://github.com/slipway-demo/" + APP);
    app.put("provider", "github");
    app.put("webhookSecret", secret);
    app.putArray("branches").add("main");
    ArrayNode environments = app.putArray("environments");
    for (String name : ENVIRONMENTS) {
      ObjectNode environment = environments.addObject();
      environment.put("name", name);
      environment.put("cluster", "local");
      environment.put("namespace", "bench-" + name);
      environment.put("promotion", "auto");
      environment.put("strategy", "rolling");
      ObjectNode deployment = environment.putObject("deployment");
      deployment.put("replicas", 1);
      deployment.put("port", 8080);
      deployment.put("timeoutSeconds", 60);
    }
    app.putObject("scanPolicy").put("failOn", "critical");
    app.putObject("source").put("cloneUrl", cloneUrl);
    client
        .post(platform.endpoints().trigger() + "/api/apps", TestTokens.token("bench", "admin"), app)
        .expect(201);
  }

  private String hmac(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  /** Median of 200 records sent one at a time (acks=all) and read by a polling consumer. */
  private static double rawKafkaHopMillis() throws Exception {
    String topic = "bench.raw-hop";
    SlipwayInfrastructure.createTopics(List.of(topic));
    Properties producerProps = new Properties();
    producerProps.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfrastructure.bootstrapServers());
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    Properties consumerProps = new Properties();
    consumerProps.put(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SlipwayInfrastructure.bootstrapServers());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-raw-hop");
    List<Long> nanos = new ArrayList<>();
    try (var producer =
            new KafkaProducer<>(
                producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        var consumer =
            new KafkaConsumer<>(
                consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      for (int i = 0; i < 220; i++) {
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), new byte[512])).get();
        boolean seen = false;
        while (!seen) {
          for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(100))) {
            seen = true;
          }
        }
        if (i >= 20) {
          nanos.add(System.nanoTime() - start);
        }
      }
    }
    return percentile(nanos, 50) / 1_000_000.0;
  }

  /** Median of 20 Deployments created straight in the sandbox and read until available. */
  private static double rawRolloutMillis() throws IOException {
    List<Long> nanos = new ArrayList<>();
    Config config = Config.fromKubeconfig(Files.readString(platform.kubeconfig()));
    try (KubernetesClient kubernetes = new KubernetesClientBuilder().withConfig(config).build()) {
      kubernetes
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("bench-raw").endMetadata().build())
          .create();
      for (int i = 0; i < 25; i++) {
        String name = "raw-" + i;
        Deployment deployment =
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("bench-raw")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("127.0.0.1:5000/raw@sha256:" + "0".repeat(64))
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        long start = System.nanoTime();
        kubernetes.apps().deployments().inNamespace("bench-raw").resource(deployment).create();
        while (!available(
            kubernetes.apps().deployments().inNamespace("bench-raw").withName(name).get())) {
          Thread.onSpinWait();
        }
        if (i >= 5) {
          nanos.add(System.nanoTime() - start);
        }
      }
    }
    return percentile(nanos, 50) / 1_000_000.0;
  }

  private static boolean available(Deployment deployment) {
    return deployment != null
        && deployment.getStatus() != null
        && Integer.valueOf(1).equals(deployment.getStatus().getAvailableReplicas());
  }

  /** Memory the Kafka and PostgreSQL containers use, in MB, as {@code docker stats} reports it. */
  private static Map<String, Long> containerMegabytes() {
    Map<String, Long> usage = new LinkedHashMap<>();
    usage.put("kafka (container)", dockerMemory(SlipwayInfrastructure.kafka().containerId()));
    usage.put(
        "postgresql (container)", dockerMemory(SlipwayInfrastructure.postgres().containerId()));
    return usage;
  }

  private static long dockerMemory(String containerId) {
    try {
      Process stats =
          new ProcessBuilder(
                  "docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", containerId)
              .redirectErrorStream(true)
              .start();
      String out = new String(stats.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      stats.waitFor();
      // e.g. "412.3MiB / 23.47GiB"
      String used = out.split("/")[0].trim();
      double value = Double.parseDouble(used.replaceAll("[^0-9.]", ""));
      if (used.endsWith("GiB")) {
        value *= 1024;
      } else if (used.endsWith("KiB")) {
        value /= 1024;
      }
      return Math.round(value);
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static long percentile(List<Long> values, int percentile) {
    List<Long> sorted = values.stream().sorted().toList();
    int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /**
   * One run's stages, from the audit store's event times (all from this machine's clock).
   *
   * @param stages milliseconds per stage, in {@link #STAGES} order
   * @param buildWorkMs what build-service timed itself: clone, step, image, push
   */
  record RunTimes(Map<String, Long> stages, long buildWorkMs) {

    static final List<String> STAGES =
        List.of(
            "webhook -> commit.received",
            "commit.received -> build.done",
            "build.done -> scan.done",
            "scan.done -> dev deploy.done",
            "dev -> staging deploy.done",
            "staging -> prod deploy.done",
            "total: webhook -> prod deploy.done");

    long totalMs() {
      return stages.get(STAGES.get(STAGES.size() - 1));
    }

    static RunTimes of(Instant sent, JsonNode events) {
      Map<String, Instant> at = new LinkedHashMap<>();
      long work = 0;
      for (JsonNode event : events) {
        String topic = event.path("topic").asText();
        String environment = event.path("environment").asText("");
        Instant time = OffsetDateTime.parse(event.path("eventTime").asText()).toInstant();
        at.put(environment.isEmpty() ? topic : environment + " " + topic, time);
        JsonNode data = event.path("event").path("data");
        if (topic.equals("build.done")) {
          for (JsonNode stage : data.path("stageDurationsMs")) {
            work += stage.asLong();
          }
        }
      }
      List<Instant> points =
          List.of(
              sent,
              at.get("commit.received"),
              at.get("build.done"),
              at.get("scan.done"),
              at.get("dev deploy.done"),
              at.get("staging deploy.done"),
              at.get("prod deploy.done"));
      Map<String, Long> stages = new LinkedHashMap<>();
      for (int i = 1; i < points.size(); i++) {
        stages.put(
            STAGES.get(i - 1), Duration.between(points.get(i - 1), points.get(i)).toMillis());
      }
      stages.put(
          STAGES.get(STAGES.size() - 1),
          Duration.between(sent, points.get(points.size() - 1)).toMillis());
      return new RunTimes(stages, work);
    }
  }
}

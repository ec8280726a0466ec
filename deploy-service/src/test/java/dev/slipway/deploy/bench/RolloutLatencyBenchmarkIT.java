package dev.slipway.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.deploy.rollout.DeploymentFactory;
import dev.slipway.deploy.rollout.ServiceFactory;
import dev.slipway.deploy.rollout.Workload;
import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.ManifestArtifacts;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EventJson;
import dev.slipway.events.Topics;
import dev.slipway.sandbox.SandboxServer;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Platform overhead of a rolling rollout: deploy.requested sent to Kafka until its deploy.done
 * arrives, against a sandbox cluster whose Deployments become available at once, with the service's
 * production timings (poll interval 2 s, claim interval 1 s). 100 rollouts one after the other,
 * then 100 applications at once on this one instance, then the raw limit in the same run: fabric8
 * alone applying the same Service and Deployment and reading status until available. Figures are
 * printed; nothing about time is asserted.
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
@Tag("bench")
class RolloutLatencyBenchmarkIT {

  private static final int ROLLOUTS = 100;
  private static final int WARMUP = 10;
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  SandboxServer cluster;

  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> consumer;
  private Thread listener;
  private final AtomicBoolean listening = new AtomicBoolean(true);
  private final Map<String, Long> doneAt = new ConcurrentHashMap<>();

  @BeforeEach
  void connect() throws InterruptedException {
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SlipwayInfrastructure.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                0),
            new StringSerializer(),
            new ByteArraySerializer());
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SlipwayInfrastructure.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "bench-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "latest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                5),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(Topics.DEPLOY_DONE));
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(50));
    }
    consumer.seekToEnd(consumer.assignment());
    consumer.assignment().forEach(consumer::position);
    listener =
        new Thread(
            () -> {
              while (listening.get()) {
                for (var record : consumer.poll(Duration.ofMillis(5))) {
                  var header = record.headers().lastHeader("ce_causationid");
                  if (header != null) {
                    doneAt.put(
                        new String(header.value(), StandardCharsets.UTF_8), System.nanoTime());
                  }
                }
              }
              consumer.close();
            },
            "bench-deploy-done");
    listener.start();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    listening.set(false);
    listener.join(5000);
    producer.close();
  }

  @Test
  void requestToDoneOverheadAndRawLimit() throws Exception {
    for (Envelope<DeployRequested> request : scanned(WARMUP)) {
      awaitDone(List.of(send(request)));
    }

    long[] sequential = new long[ROLLOUTS];
    List<Envelope<DeployRequested>> requests = scanned(ROLLOUTS);
    for (int i = 0; i < ROLLOUTS; i++) {
      Sent sent = send(requests.get(i));
      awaitDone(List.of(sent));
      sequential[i] = doneAt.get(sent.id()) - sent.at();
    }

    List<Sent> burst = new ArrayList<>();
    List<Envelope<DeployRequested>> burstRequests = scanned(ROLLOUTS);
    long burstStart = System.nanoTime();
    for (Envelope<DeployRequested> request : burstRequests) {
      burst.add(send(request));
    }
    awaitDone(burst);
    long burstEnd = burst.stream().mapToLong(s -> doneAt.get(s.id())).max().orElseThrow();
    long[] concurrent = burst.stream().mapToLong(s -> doneAt.get(s.id()) - s.at()).toArray();

    long[] raw = rawLimit(cluster.client());

    Arrays.sort(sequential);
    Arrays.sort(concurrent);
    Arrays.sort(raw);
    System.out.printf(
        "%n[bench] deploy-service: deploy.requested -> deploy.done, rolling, sandbox cluster available at once%n"
            + "[bench]   %d rollouts one after another: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n"
            + "[bench]   %d applications at once:      p50 %.1f ms, p99 %.1f ms, all done in %.1f ms (%.1f rollouts/s)%n"
            + "[bench]   raw limit, fabric8 alone (apply Service + Deployment, read status until available), %d times: p50 %.1f ms, p99 %.1f ms%n"
            + "[bench]   ratio p50 slipway / raw: %.1fx (sequential)%n",
        ROLLOUTS,
        ms(percentile(sequential, 50)),
        ms(percentile(sequential, 99)),
        ms(sequential[sequential.length - 1]),
        ROLLOUTS,
        ms(percentile(concurrent, 50)),
        ms(percentile(concurrent, 99)),
        ms(burstEnd - burstStart),
        ROLLOUTS / ((burstEnd - burstStart) / 1e9),
        ROLLOUTS,
        ms(percentile(raw, 50)),
        ms(percentile(raw, 99)),
        (double) percentile(sequential, 50) / percentile(raw, 50));
    assertThat(doneAt).hasSizeGreaterThanOrEqualTo(2 * ROLLOUTS + WARMUP);
  }

  /**
   * The application's own manifests: ten objects (ServiceAccount, Role, three ConfigMaps, Secret,
   * Service, Deployment, PodDisruptionBudget, NetworkPolicy) fetched by digest from the registry,
   * checked for ownership, applied in order, judged per kind; against fabric8 alone applying the
   * same ten objects and reading the Deployment until available.
   */
  @Test
  void tenObjectManifestSetAgainstRawApply() throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      awaitDone(List.of(send(rendered(Deploys.application()))));
    }
    // What build-service and scan-service produced beforehand: the rendered artifact and the
    // verdict on the digest.
    List<Envelope<DeployRequested>> requests = new ArrayList<>();
    for (int i = 0; i < ROLLOUTS; i++) {
      requests.add(rendered(Deploys.application()));
    }
    long[] rollouts = new long[ROLLOUTS];
    for (int i = 0; i < ROLLOUTS; i++) {
      Sent sent = send(requests.get(i));
      awaitDone(List.of(sent));
      rollouts[i] = doneAt.get(sent.id()) - sent.at();
    }
    KubernetesClient client = cluster.client();
    cluster.createNamespace("raw-ns");
    long[] raw = new long[ROLLOUTS];
    for (int i = 0; i < ROLLOUTS; i++) {
      String app = Deploys.application();
      var objects =
          dev.slipway.deploy.manifest.ManifestParser.parse(tenObjects(app, "raw-ns"), "raw")
              .objects();
      long start = System.nanoTime();
      for (var object : objects) {
        client
            .resource(dev.slipway.deploy.manifest.ManifestSet.typed(object))
            .fieldManager("slipway")
            .forceConflicts()
            .serverSideApply();
      }
      while (!available(client.apps().deployments().inNamespace("raw-ns").withName(app).get())) {
        Thread.onSpinWait();
      }
      raw[i] = System.nanoTime() - start;
    }
    Arrays.sort(rollouts);
    Arrays.sort(raw);
    System.out.printf(
        "%n[bench] deploy-service: deploy.requested -> deploy.done, a 10-object manifest set fetched by digest, rolling, available at once%n"
            + "[bench]   %d rollouts one after another: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n"
            + "[bench]   raw limit, fabric8 alone (apply the same 10 objects, read the Deployment until available), %d times: p50 %.1f ms, p99 %.1f ms%n"
            + "[bench]   ratio p50 slipway / raw: %.1fx%n",
        ROLLOUTS,
        ms(percentile(rollouts, 50)),
        ms(percentile(rollouts, 99)),
        ms(rollouts[rollouts.length - 1]),
        ROLLOUTS,
        ms(percentile(raw, 50)),
        ms(percentile(raw, 99)),
        (double) percentile(rollouts, 50) / percentile(raw, 50));
    assertThat(doneAt).hasSizeGreaterThanOrEqualTo(ROLLOUTS + WARMUP);
  }

  private static String tenObjects(String app, String namespace) {
    StringBuilder yaml = new StringBuilder();
    yaml.append(
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: %1$s, namespace: %2$s}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: %1$s, namespace: %2$s}
        rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: %1$s-tls, namespace: %2$s}
        stringData: {token: not-a-real-one}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: %2$s}
        spec: {selector: {app: %1$s}, ports: [{port: 80, targetPort: 8080}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          replicas: 2
          selector: {matchLabels: {app: %1$s}}
          template:
            metadata: {labels: {app: %1$s}}
            spec:
              serviceAccountName: %1$s
              containers: [{name: web, image: %3$s, ports: [{containerPort: 8080}]}]
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: %1$s, namespace: %2$s}
        spec: {minAvailable: 1, selector: {matchLabels: {app: %1$s}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: %1$s, namespace: %2$s}
        spec: {podSelector: {matchLabels: {app: %1$s}}, policyTypes: [Ingress]}
        """
            .formatted(app, namespace, Deploys.pinned(app, Deploys.digest(app))));
    for (String name : List.of("flags", "limits", "routes")) {
      yaml.append(
          """
          ---
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: %1$s-%3$s, namespace: %2$s}
          data: {%3$s: "on"}
          """
              .formatted(app, namespace, name));
    }
    return yaml.toString();
  }

  /**
   * A request for {@code app} with its ten objects pushed as rendered manifests and its digest
   * passed by scan-service, not sent yet.
   */
  private static Envelope<DeployRequested> rendered(String app) {
    EnvironmentSpec env =
        Deploys.rolling("bench", "bench", Promotion.AUTO, 0, Deploys.settings(2, 60, null, null));
    String digest = Deploys.digest(app);
    Rollouts.scanPassed(app, Deploys.image(app), digest);
    return Deploys.scanPassed(
        app,
        "bench",
        digest,
        Deploys.run(env),
        ManifestArtifacts.push(app, Map.of("bench", tenObjects(app, "bench-ns"))));
  }

  /** {@code count} requests of new applications whose digests scan-service passed, not sent yet. */
  private static List<Envelope<DeployRequested>> scanned(int count) {
    EnvironmentSpec env =
        Deploys.rolling("bench", "bench", Promotion.AUTO, 0, Deploys.settings(2, 60, null, null));
    List<Envelope<DeployRequested>> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String app = Deploys.application();
      String digest = Deploys.digest(app);
      Rollouts.scanPassed(app, Deploys.image(app), digest);
      requests.add(Deploys.scanPassed(app, "bench", digest, Deploys.run(env)));
    }
    return requests;
  }

  private long[] rawLimit(KubernetesClient client) {
    cluster.createNamespace("raw-ns");
    long[] took = new long[ROLLOUTS];
    for (int i = 0; i < ROLLOUTS; i++) {
      String app = Deploys.application();
      Workload workload =
          new Workload(
              app,
              "raw-ns",
              Workload.Track.STABLE,
              Deploys.pinned(app, Deploys.digest("raw")),
              Deploys.settings(2, 60, null, null),
              2,
              Map.of());
      long start = System.nanoTime();
      client
          .resource(ServiceFactory.application(app, "raw-ns", 8080))
          .fieldManager("slipway")
          .forceConflicts()
          .serverSideApply();
      client
          .resource(DeploymentFactory.create(workload))
          .fieldManager("slipway")
          .forceConflicts()
          .serverSideApply();
      while (!available(client.apps().deployments().inNamespace("raw-ns").withName(app).get())) {
        Thread.onSpinWait();
      }
      took[i] = System.nanoTime() - start;
    }
    return took;
  }

  private static boolean available(Deployment deployment) {
    return deployment.getStatus() != null
        && deployment.getStatus().getAvailableReplicas() != null
        && deployment.getStatus().getAvailableReplicas() == 2
        && deployment.getStatus().getObservedGeneration() != null;
  }

  private Sent send(Envelope<DeployRequested> request) throws Exception {
    String app = request.subject();
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(Topics.DEPLOY_REQUESTED, app, EventJson.writePayload(request.data()));
    header(record, "ce_specversion", EventJson.SPEC_VERSION);
    header(record, "ce_id", request.id());
    header(record, "ce_source", request.source());
    header(record, "ce_type", request.type());
    header(record, "ce_time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(request.time()));
    header(record, "ce_subject", app);
    header(record, "ce_runid", request.runId());
    header(record, "ce_commitsha", request.commitSha());
    header(record, "content-type", EventJson.CONTENT_TYPE);
    long at = System.nanoTime();
    producer.send(record).get(30, TimeUnit.SECONDS);
    return new Sent(request.id(), at);
  }

  private void awaitDone(List<Sent> sent) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (sent.stream().anyMatch(s -> !doneAt.containsKey(s.id()))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("rollouts did not finish within " + TIMEOUT);
      }
      Thread.sleep(1);
    }
  }

  private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
    record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
  }

  private static long percentile(long[] sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private record Sent(String id, long at) {}
}

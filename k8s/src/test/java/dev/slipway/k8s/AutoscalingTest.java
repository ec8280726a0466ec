package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Topics;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Production scaling: each consumer service scales on its consumer group's lag (KEDA) but never
 * beyond what its topics' partitions can feed, trigger-service and the console on CPU, every
 * service and the console behind a disruption budget, and no replica count in the Deployments for a
 * re-apply to reset.
 *
 * <p>The bound, per trigger: maxReplicaCount × consumers per replica (the channel's {@code
 * concurrency}) ≤ partitions of the topic. With 12 partitions per pipeline topic:
 *
 * <pre>
 * service         topic(s)                      consumers/replica  max replicas  consumers  partitions
 * build-service   commit.received               1                  6             6          12
 * scan-service    build.done, deploy.done       1                  6             6          12
 * deploy-service  deploy.requested              1                  6             6          12
 * audit-service   the five pipeline topics      3                  4             12         12
 * </pre>
 */
class AutoscalingTest {

  private static final Map<String, Integer> MAX_REPLICAS =
      Map.of("build-service", 6, "scan-service", 6, "deploy-service", 6, "audit-service", 4);

  private final Overlay prod = Overlay.rendered(Overlay.PROD);

  @Test
  void everyConsumerScalesOnTheLagOfEachTopicItReads() {
    Map<String, ObjectNode> scaledObjects = byName(prod.ofKind("ScaledObject"));
    Set<String> consumers = new TreeSet<>();
    KafkaContract.BY_SERVICE.forEach(
        (service, contract) -> {
          if (!contract.groups().isEmpty()) {
            consumers.add(service);
          }
        });
    assertThat(scaledObjects.keySet()).containsExactlyInAnyOrderElementsOf(consumers);
    SoftAssertions softly = new SoftAssertions();
    scaledObjects.forEach(
        (service, scaledObject) -> {
          JsonNode spec = scaledObject.path("spec");
          softly
              .assertThat(spec.path("scaleTargetRef").path("name").asText())
              .as(service)
              .isEqualTo(service);
          softly
              .assertThat(spec.path("minReplicaCount").asInt())
              .as("%s minimum", service)
              .isGreaterThanOrEqualTo(2);
          softly
              .assertThat(spec.path("maxReplicaCount").asInt())
              .as("%s maximum", service)
              .isEqualTo(MAX_REPLICAS.get(service));
          Set<String> triggered = new TreeSet<>();
          for (JsonNode trigger : spec.path("triggers")) {
            softly.assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            JsonNode metadata = trigger.path("metadata");
            triggered.add(metadata.path("topic").asText());
            softly
                .assertThat(KafkaContract.BY_SERVICE.get(service).groups())
                .as("%s group", service)
                .contains(metadata.path("consumerGroup").asText());
            softly
                .assertThat(metadata.path("bootstrapServers").asText())
                .as(service)
                .isEqualTo("slipway-kafka-bootstrap.slipway.svc:9093");
            softly.assertThat(metadata.path("tls").asText()).isEqualTo("enable");
            softly.assertThat(metadata.path("sasl").asText()).isEqualTo("scram_sha512");
            softly
                .assertThat(metadata.path("allowIdleConsumers").asText("false"))
                .isEqualTo("false");
          }
          softly
              .assertThat(triggered)
              .as("%s triggers", service)
              .isEqualTo(pipelineTopicsRead(service));
        });
    softly.assertAll();
  }

  @Test
  void noReplicaBeyondWhatThePartitionsFeed() {
    Map<String, KafkaTopic> topics = KafkaTopologyTest.topics(prod);
    SoftAssertions softly = new SoftAssertions();
    for (ObjectNode scaledObject : prod.ofKind("ScaledObject")) {
      String service = Overlay.name(scaledObject);
      int maxReplicas = scaledObject.path("spec").path("maxReplicaCount").asInt();
      for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
        String topic = trigger.path("metadata").path("topic").asText();
        int consumersPerReplica = consumersPerReplica(service, topic);
        int partitions = topics.get(topic).getSpec().getPartitions();
        softly
            .assertThat(maxReplicas * consumersPerReplica)
            .as(
                "%s: %d replicas x %d consumers on %s (%d partitions)",
                service, maxReplicas, consumersPerReplica, topic, partitions)
            .isLessThanOrEqualTo(partitions);
      }
    }
    softly.assertAll();
  }

  @Test
  void kedaReadsLagWithACredentialThatMayOnlyDescribe() {
    ObjectNode auth = prod.ofKind("TriggerAuthentication").get(0);
    for (ObjectNode scaledObject : prod.ofKind("ScaledObject")) {
      for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
        assertThat(trigger.path("authenticationRef").path("name").asText())
            .isEqualTo(Overlay.name(auth));
      }
    }
    KafkaUser keda =
        prod.find("KafkaUser", "keda").map(o -> Models.bind(o, KafkaUser.class)).orElseThrow();
    Map<String, Set<String>> expected = new TreeMap<>();
    for (ObjectNode scaledObject : prod.ofKind("ScaledObject")) {
      for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
        expected.put(
            "topic " + trigger.path("metadata").path("topic").asText(), Set.of("Describe"));
        expected.put(
            "group " + trigger.path("metadata").path("consumerGroup").asText(), Set.of("Describe"));
      }
    }
    assertThat(KafkaTopologyTest.acls(keda)).isEqualTo(expected);
  }

  @Test
  void triggerScalesOnCpuEveryServiceHasABudgetAndNoDeploymentPinsItsReplicas() {
    List<HorizontalPodAutoscaler> hpas =
        prod.all("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
    // trigger-service and the console consume nothing: they scale on HTTP load, by CPU.
    assertThat(hpas)
        .extracting(h -> h.getSpec().getScaleTargetRef().getName())
        .containsExactlyInAnyOrder("trigger-service", "console");
    for (HorizontalPodAutoscaler hpa : hpas) {
      String target = hpa.getSpec().getScaleTargetRef().getName();
      assertThat(hpa.getSpec().getMinReplicas()).as(target).isGreaterThanOrEqualTo(2);
      assertThat(hpa.getSpec().getMetrics())
          .as(target)
          .anyMatch(m -> m.getResource().getName().equals("cpu"));
    }
    assertThat(ServiceChannels.incoming("trigger-service"))
        .as("trigger-service consumes nothing")
        .isEmpty();

    Set<String> budgeted =
        prod.all("PodDisruptionBudget", PodDisruptionBudget.class).stream()
            .map(b -> b.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/name"))
            .collect(Collectors.toSet());
    assertThat(budgeted).containsExactlyInAnyOrderElementsOf(Overlay.DEPLOYMENTS);
    for (Deployment deployment : prod.all("Deployment", Deployment.class)) {
      assertThat(deployment.getSpec().getReplicas())
          .as(deployment.getMetadata().getName())
          .isNull();
    }
  }

  @Test
  void localRunsOneReplicaOfEachWithoutAutoscalers() {
    Overlay local = Overlay.rendered("local");
    assertThat(local.ofKind("ScaledObject")).isEmpty();
    assertThat(local.ofKind("HorizontalPodAutoscaler")).isEmpty();
    assertThat(local.ofKind("PodDisruptionBudget"))
        .as("a budget would block draining the only node")
        .isEmpty();
    assertThat(local.all("Deployment", Deployment.class))
        .allSatisfy(d -> assertThat(d.getSpec().getReplicas()).isEqualTo(1));
  }

  /** The pipeline topics (not dead letters) {@code service} consumes, by the contract. */
  private static Set<String> pipelineTopicsRead(String service) {
    Set<String> read = new TreeSet<>(KafkaContract.BY_SERVICE.get(service).reads());
    read.retainAll(Topics.PIPELINE);
    return read;
  }

  /**
   * Consumers of {@code topic} in one replica of {@code service}: its channel's concurrency (1 for
   * a channel the contract names but the service does not declare yet).
   */
  private static int consumersPerReplica(String service, String topic) {
    return ServiceChannels.incoming(service).stream()
        .filter(c -> c.reads(topic))
        .mapToInt(ServiceChannels.Incoming::consumers)
        .max()
        .orElse(1);
  }

  private static Map<String, ObjectNode> byName(List<ObjectNode> objects) {
    return objects.stream()
        .collect(Collectors.toMap(Overlay::name, o -> o, (a, b) -> a, TreeMap::new));
  }
}

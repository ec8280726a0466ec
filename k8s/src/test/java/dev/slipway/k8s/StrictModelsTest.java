package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.junit.jupiter.api.Test;

/**
 * The two checkers the overlay tests rely on reject what they should: a field a model lacks (a
 * fabric8 and a Strimzi kind), a field or a value a published CRD schema does not allow, a
 * malformed metadata; and accept a valid object, nullable and int-or-string values included.
 */
class StrictModelsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void aDeploymentWithAMisspeltFieldDoesNotFit() {
    JsonNode deployment =
        yaml(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: demo}
            spec:
              selector: {matchLabels: {app: demo}}
              template:
                metadata: {labels: {app: demo}}
                spec:
                  automountServiceAccountTokens: false
                  containers: [{name: demo, image: demo}]
            """);
    assertThatThrownBy(() -> Models.bind(deployment, Deployment.class))
        .hasMessageContaining("Deployment demo does not fit Deployment")
        .hasMessageContaining("automountServiceAccountTokens");
  }

  @Test
  void aKafkaWithAFieldStrimziDoesNotKnowDoesNotFit() {
    JsonNode kafka =
        yaml(
            """
            apiVersion: kafka.strimzi.io/v1
            kind: Kafka
            metadata: {name: demo}
            spec:
              kafka:
                version: 4.1.1
                listeners: [{name: tls, port: 9093, type: internal, tls: true}]
                replicationFactor: 3
            """);
    assertThatThrownBy(() -> Models.bind(kafka, Kafka.class))
        .hasMessageContaining("replicationFactor");
  }

  @Test
  void aKafkaUserAclNeedsAKnownOperation() {
    JsonNode user =
        yaml(
            """
            apiVersion: kafka.strimzi.io/v1
            kind: KafkaUser
            metadata: {name: demo}
            spec:
              authorization:
                type: simple
                acls:
                  - resource: {type: topic, name: build.done, patternType: literal}
                    operations: [Reed]
            """);
    // Strimzi's model reads an operation it does not know as null; the written-back check sees it.
    assertThatThrownBy(() -> Models.bind(user, KafkaUser.class))
        .hasMessageContaining("operations[0]")
        .hasMessageContaining("Reed");
  }

  @Test
  void aFieldStrimziDroppedInV1PassesItsModelButNotItsV1Schema() {
    // io.strimzi:api 0.51 still models v1beta2's zookeeper-era fields; the v1 schema has no
    // spec.kafka.replicas.
    JsonNode kafka =
        yaml(
            """
            apiVersion: kafka.strimzi.io/v1
            kind: Kafka
            metadata: {name: demo}
            spec:
              kafka:
                version: 4.1.1
                replicas: 3
                listeners: [{name: tls, port: 9093, type: internal, tls: true}]
            """);
    Models.bind(kafka, Kafka.class);
    assertThat(CrdSchemas.violations(kafka)).anyMatch(v -> v.contains("replicas"));
  }

  @Test
  void aScaledObjectWithAnHpaFieldNameIsRejectedByKedasSchema() {
    JsonNode scaledObject =
        yaml(
            """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata: {name: demo}
            spec:
              scaleTargetRef: {name: demo}
              maxReplicas: 6
              triggers: [{type: kafka, metadata: {topic: build.done}}]
            """);
    assertThat(CrdSchemas.violations(scaledObject)).anyMatch(v -> v.contains("maxReplicas"));
  }

  @Test
  void aClusterWithAWrongTypeOrAnUnknownFieldIsRejectedByCloudNativePgsSchema() {
    JsonNode cluster =
        yaml(
            """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: demo}
            spec:
              instances: three
              storage: {size: 1Gi, sizee: 2Gi}
            """);
    assertThat(CrdSchemas.violations(cluster))
        .anyMatch(v -> v.contains("instances"))
        .anyMatch(v -> v.contains("sizee"));
  }

  @Test
  void malformedMetadataOfACustomResourceIsRejected() {
    JsonNode cluster =
        yaml(
            """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: demo, label: {a: b}}
            spec: {instances: 1, storage: {size: 1Gi}}
            """);
    assertThat(CrdSchemas.violations(cluster)).anyMatch(v -> v.contains("label"));
  }

  @Test
  void aValidCustomResourcePasses() {
    JsonNode cluster =
        yaml(
            """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: {name: demo, labels: {app: demo}}
            spec:
              instances: 3
              storage: {size: 1Gi}
              resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1}}
              bootstrap: {initdb: {database: demo, owner: demo}}
            """);
    assertThat(CrdSchemas.violations(cluster)).isEmpty();
  }

  private static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}

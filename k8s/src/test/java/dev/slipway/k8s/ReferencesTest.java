package dev.slipway.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every name an object refers to exists once the overlay is applied: it is rendered, or an operator
 * makes it from a rendered resource (Strimzi's cluster CA and user Secrets, CloudNativePG's owner
 * and CA Secrets), or it is one of the few Secrets and ConfigMaps the cluster's secret management
 * provides, each of which the README lists. Services, routes, budgets and scalers point at what
 * exists.
 */
class ReferencesTest {

  /** What the SRE provides (k8s/README.md, "What to configure"), never this repository. */
  private static final Set<String> PROVIDED =
      Set.of(
          "ConfigMap slipway-jwt-public-key",
          "Secret trigger-service-secrets",
          "Secret audit-service-db-runtime",
          "Secret audit-service-db-migrator",
          "Secret audit-service-checkpoint-key",
          "Secret deploy-service-clusters",
          "Secret build-service-registry",
          "Secret build-service-signing-key",
          "PersistentVolumeClaim build-workspaces",
          "Secret console-session-key",
          "Secret slipway-backups-s3");

  /**
   * What the gateway routes to the console: its overview (exactly {@code /}), one prefix per page,
   * sign-in and sign-out, its assets; never {@code /q} (health, metrics), as for the services.
   */
  private static final Set<String> CONSOLE_PATHS =
      Set.of(
          "/",
          "/apps",
          "/builds",
          "/scans",
          "/rollouts",
          "/approvals",
          "/exposure",
          "/audit",
          "/login",
          "/logout",
          "/static",
          "/_static");

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everySecretAndConfigMapAPodUsesExists(String name) throws IOException {
    Overlay overlay = Overlay.rendered(name);
    Set<String> available = available(overlay);
    String readme = Files.readString(Overlay.k8sDir().resolve("README.md"));
    SoftAssertions softly = new SoftAssertions();
    PodHardeningTest.templates(overlay)
        .forEach(
            (owner, template) ->
                references(template)
                    .forEach(
                        ref ->
                            softly
                                .assertThat(available)
                                .as("%s uses %s", owner, ref)
                                .contains(ref)));
    for (String provided : PROVIDED) {
      softly
          .assertThat(readme)
          .as("the README names what the SRE provides")
          .contains(provided.substring(provided.indexOf(' ') + 1));
    }
    // What the operators' resources read: CloudNativePG role passwords, the backup store's keys,
    // KEDA's credentials.
    for (JsonNode role :
        overlay.ofKind("Cluster").stream()
            .flatMap(c -> stream(c.path("spec").path("managed").path("roles")))
            .toList()) {
      if (role.has("passwordSecret")) {
        softly
            .assertThat(available)
            .contains("Secret " + role.path("passwordSecret").path("name").asText());
      }
    }
    for (ObjectNode store : overlay.ofKind("ObjectStore")) {
      store
          .path("spec")
          .path("configuration")
          .path("s3Credentials")
          .forEach(
              ref -> softly.assertThat(available).contains("Secret " + ref.path("name").asText()));
    }
    for (ObjectNode auth : overlay.ofKind("TriggerAuthentication")) {
      auth.path("spec")
          .path("secretTargetRef")
          .forEach(
              ref -> softly.assertThat(available).contains("Secret " + ref.path("name").asText()));
      auth.path("spec")
          .path("configMapTargetRef")
          .forEach(
              ref ->
                  softly.assertThat(available).contains("ConfigMap " + ref.path("name").asText()));
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void servicesRoutesBudgetsAndScalersPointAtWhatExists(String name) {
    Overlay overlay = Overlay.rendered(name);
    Map<String, PodTemplateSpec> templates = PodHardeningTest.templates(overlay);
    SoftAssertions softly = new SoftAssertions();
    for (Service service : overlay.all("Service", Service.class)) {
      long selected =
          templates.entrySet().stream()
              .filter(e -> e.getKey().startsWith("Deployment"))
              .filter(
                  e ->
                      e.getValue()
                          .getMetadata()
                          .getLabels()
                          .entrySet()
                          .containsAll(service.getSpec().getSelector().entrySet()))
              .count();
      softly
          .assertThat(selected)
          .as("Deployments behind Service %s", service.getMetadata().getName())
          .isEqualTo(1);
    }
    for (PodDisruptionBudget budget :
        overlay.all("PodDisruptionBudget", PodDisruptionBudget.class)) {
      softly
          .assertThat(templates.values())
          .as("pods of PDB %s", budget.getMetadata().getName())
          .anyMatch(
              t ->
                  NetworkPolicyTest.selects(
                      budget.getSpec().getSelector(), t.getMetadata().getLabels()));
    }
    for (ObjectNode scaler : overlay.ofKind("ScaledObject")) {
      softly
          .assertThat(
              overlay.find(
                  "Deployment", scaler.path("spec").path("scaleTargetRef").path("name").asText()))
          .as(Overlay.describe(scaler))
          .isPresent();
    }
    for (ObjectNode hpa : overlay.ofKind("HorizontalPodAutoscaler")) {
      softly
          .assertThat(
              overlay.find(
                  "Deployment", hpa.path("spec").path("scaleTargetRef").path("name").asText()))
          .as(Overlay.describe(hpa))
          .isPresent();
    }
    for (ObjectNode backup : overlay.ofKind("ScheduledBackup")) {
      softly
          .assertThat(
              overlay.find("Cluster", backup.path("spec").path("cluster").path("name").asText()))
          .as(Overlay.describe(backup))
          .isPresent();
    }
    for (ObjectNode cluster : overlay.ofKind("Cluster")) {
      for (JsonNode plugin : cluster.path("spec").path("plugins")) {
        softly
            .assertThat(
                overlay.find(
                    "ObjectStore", plugin.path("parameters").path("barmanObjectName").asText()))
            .as(Overlay.describe(cluster))
            .isPresent();
      }
    }
    String kafka = overlay.all("Kafka", Kafka.class).get(0).getMetadata().getName();
    for (String kind : List.of("KafkaNodePool", "KafkaTopic", "KafkaUser")) {
      for (ObjectNode object : overlay.ofKind(kind)) {
        softly
            .assertThat(object.path("metadata").path("labels").path("strimzi.io/cluster").asText())
            .as(Overlay.describe(object))
            .isEqualTo(kafka);
      }
    }
    Gateway gateway = overlay.all("Gateway", Gateway.class).get(0);
    for (HTTPRoute route : overlay.all("HTTPRoute", HTTPRoute.class)) {
      String section = route.getSpec().getParentRefs().get(0).getSectionName();
      Listener listener =
          gateway.getSpec().getListeners().stream()
              .filter(l -> l.getName().equals(section))
              .findFirst()
              .orElse(null);
      softly
          .assertThat(listener)
          .as("listener of HTTPRoute %s", route.getMetadata().getName())
          .isNotNull();
      if (listener != null) {
        softly.assertThat(route.getSpec().getHostnames()).containsExactly(listener.getHostname());
        softly.assertThat(listener.getProtocol()).isEqualTo("HTTPS");
      }
      route
          .getSpec()
          .getRules()
          .forEach(
              rule ->
                  rule.getBackendRefs()
                      .forEach(
                          backend -> {
                            var service =
                                overlay
                                    .find("Service", backend.getName())
                                    .map(o -> Models.bind(o, Service.class));
                            softly
                                .assertThat(service)
                                .as("backend %s", backend.getName())
                                .isPresent();
                            service.ifPresent(
                                s ->
                                    softly
                                        .assertThat(s.getSpec().getPorts())
                                        .anyMatch(p -> p.getPort().equals(backend.getPort())));
                            boolean console = backend.getName().equals("console");
                            rule.getMatches()
                                .forEach(
                                    match -> {
                                      String path = match.getPath().getValue();
                                      softly
                                          .assertThat(path)
                                          .as("only webhooks, APIs and the console's pages")
                                          .isIn(
                                              console
                                                  ? CONSOLE_PATHS
                                                  : Set.of("/webhooks", "/api"));
                                      if (path.equals("/")) {
                                        softly
                                            .assertThat(match.getPath().getType())
                                            .as("the console's / only exactly, never /q below it")
                                            .isEqualTo("Exact");
                                      }
                                    });
                          }));
    }
    softly
        .assertThat(gateway.getMetadata().getAnnotations().keySet())
        .as("TLS by cert-manager")
        .anyMatch(k -> k.startsWith("cert-manager.io/"));
    softly.assertAll();
  }

  /** Every Secret and ConfigMap there will be once the overlay is applied and reconciled. */
  private static Set<String> available(Overlay overlay) {
    Set<String> available = new TreeSet<>(PROVIDED);
    overlay.ofKind("ConfigMap").forEach(c -> available.add("ConfigMap " + Overlay.name(c)));
    overlay.ofKind("Secret").forEach(s -> available.add("Secret " + Overlay.name(s)));
    for (Kafka kafka : overlay.all("Kafka", Kafka.class)) {
      available.add("Secret " + kafka.getMetadata().getName() + "-cluster-ca-cert");
      String prefix = kafka.getSpec().getEntityOperator().getUserOperator().getSecretPrefix();
      for (KafkaUser user : overlay.all("KafkaUser", KafkaUser.class)) {
        available.add("Secret " + (prefix == null ? "" : prefix) + user.getMetadata().getName());
      }
    }
    for (ObjectNode cluster : overlay.ofKind("Cluster")) {
      available.add("Secret " + Overlay.name(cluster) + "-app");
      available.add("Secret " + Overlay.name(cluster) + "-ca");
    }
    return available;
  }

  /** Every Secret and ConfigMap a pod of {@code template} reads, as {@code "Kind name"}. */
  static Set<String> references(PodTemplateSpec template) {
    Set<String> references = new TreeSet<>();
    for (Container container : template.getSpec().getContainers()) {
      for (EnvFromSource source : container.getEnvFrom()) {
        if (source.getConfigMapRef() != null) {
          references.add("ConfigMap " + source.getConfigMapRef().getName());
        }
        if (source.getSecretRef() != null) {
          references.add("Secret " + source.getSecretRef().getName());
        }
      }
      for (EnvVar env : container.getEnv()) {
        if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
          references.add("Secret " + env.getValueFrom().getSecretKeyRef().getName());
        }
        if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
          references.add("ConfigMap " + env.getValueFrom().getConfigMapKeyRef().getName());
        }
      }
    }
    for (Volume volume : template.getSpec().getVolumes()) {
      if (volume.getPersistentVolumeClaim() != null) {
        references.add("PersistentVolumeClaim " + volume.getPersistentVolumeClaim().getClaimName());
      }
      if (volume.getSecret() != null) {
        references.add("Secret " + volume.getSecret().getSecretName());
      }
      if (volume.getConfigMap() != null) {
        references.add("ConfigMap " + volume.getConfigMap().getName());
      }
    }
    return references;
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false);
  }
}

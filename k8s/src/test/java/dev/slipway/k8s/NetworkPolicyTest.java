package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.strimzi.api.kafka.model.kafka.Kafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Traffic is denied by default in both namespaces, then allowed per need: each service reaches
 * Kafka and its own database and no other service's, each database admits its own service only, the
 * services admit only the gateway's proxies, Prometheus and the console, the console reaches the
 * five services' APIs only, and Kafka's listener only the five services and KEDA.
 */
class NetworkPolicyTest {

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void bothNamespacesDenyEverythingByDefault(String name) {
    List<NetworkPolicy> policies = Overlay.rendered(name).all("NetworkPolicy", NetworkPolicy.class);
    for (String namespace : List.of(Overlay.NAMESPACE, Overlay.BUILD_NAMESPACE)) {
      assertThat(policies)
          .as("default deny in %s", namespace)
          .anyMatch(
              p ->
                  namespace.equals(p.getMetadata().getNamespace())
                      && isEmpty(p.getSpec().getPodSelector())
                      && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                      && p.getSpec().getIngress().isEmpty()
                      && p.getSpec().getEgress().isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void eachWorkloadReachesKafkaAndItsOwnDatabaseOnly(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<NetworkPolicy> policies = inSlipway(overlay);
    SoftAssertions softly = new SoftAssertions();
    PodHardeningTest.templates(overlay)
        .forEach(
            (owner, template) -> {
              Map<String, String> labels = template.getMetadata().getLabels();
              String workload = labels.get("app.kubernetes.io/name");
              String service = workload.replace("-migrate", "");
              List<Peer> egress = egress(policies, labels);
              Set<String> databases = new TreeSet<>();
              egress.stream()
                  .filter(
                      p ->
                          p.pods() != null
                              && p.pods().getMatchLabels().containsKey("cnpg.io/cluster"))
                  .forEach(
                      p -> {
                        databases.add(p.pods().getMatchLabels().get("cnpg.io/cluster"));
                        softly
                            .assertThat(p.ports())
                            .as("%s to its database", owner)
                            .containsExactly(5432);
                      });
              // The console holds no data: it reaches no database.
              softly
                  .assertThat(databases)
                  .as("databases %s reaches", owner)
                  .isEqualTo(
                      Overlay.SERVICES.contains(service) ? Set.of(service + "-db") : Set.of());
              boolean kafka =
                  egress.stream()
                      .anyMatch(
                          p ->
                              p.pods() != null
                                  && "slipway"
                                      .equals(p.pods().getMatchLabels().get("strimzi.io/cluster"))
                                  && p.ports().contains(9093));
              boolean usesKafka =
                  template.getSpec().getContainers().get(0).getEnv().stream()
                      .anyMatch(e -> e.getName().equals("KAFKA_SASL_JAAS_CONFIG"));
              softly.assertThat(kafka).as("%s reaches Kafka", owner).isEqualTo(usesKafka);
            });
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void servicesAdmitTheGatewayAndPrometheusOnTheirHttpPortOnly(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<NetworkPolicy> policies = inSlipway(overlay);
    SoftAssertions softly = new SoftAssertions();
    PodHardeningTest.templates(overlay)
        .forEach(
            (owner, template) -> {
              List<Peer> ingress = ingress(policies, template.getMetadata().getLabels());
              Integer http =
                  template.getSpec().getContainers().get(0).getPorts().stream()
                      .filter(p -> "http".equals(p.getName()))
                      .map(p -> p.getContainerPort())
                      .findFirst()
                      .orElse(null);
              Set<String> sources = new TreeSet<>();
              for (Peer peer : ingress) {
                sources.add(
                    peer.namespaces() == null
                        ? peer.pods().getMatchLabels().get("app.kubernetes.io/name")
                        : peer.namespaces().getMatchLabels().get("kubernetes.io/metadata.name"));
                softly.assertThat(peer.ports()).as("%s admits on", owner).containsExactly(http);
              }
              if (owner.equals("Deployment build-service")) {
                // deploy-service fetches the published build keys it verifies provenance with; the
                // console calls the API with its users' tokens.
                softly
                    .assertThat(sources)
                    .as("%s admits", owner)
                    .containsExactlyInAnyOrder(
                        "envoy-gateway-system", "monitoring", "deploy-service", "console");
              } else if (owner.equals("Deployment console")) {
                softly
                    .assertThat(sources)
                    .as("%s admits", owner)
                    .containsExactlyInAnyOrder("envoy-gateway-system", "monitoring");
              } else if (owner.startsWith("Deployment")) {
                softly
                    .assertThat(sources)
                    .as("%s admits", owner)
                    .containsExactlyInAnyOrder("envoy-gateway-system", "monitoring", "console");
              } else {
                softly.assertThat(sources).as("%s admits", owner).isEmpty();
              }
            });
    softly.assertAll();
  }

  /**
   * The console reaches the five services' APIs, each on its own http port, and the cluster's DNS:
   * nothing else (no Kafka, no database, no address range).
   */
  @ParameterizedTest
  @MethodSource("overlays")
  void theConsoleReachesTheFiveServicesApisAndDnsOnly(String name) {
    Overlay overlay = Overlay.rendered(name);
    Map<String, PodTemplateSpec> templates = PodHardeningTest.templates(overlay);
    Set<String> reached = new TreeSet<>();
    for (Peer peer :
        egress(inSlipway(overlay), templates.get("Deployment console").getMetadata().getLabels())) {
      assertThat(peer.cidr()).as("an address range the console reaches").isNull();
      String to =
          peer.namespaces() == null
              ? peer.pods().getMatchLabels().get("app.kubernetes.io/name")
              : peer.namespaces().getMatchLabels().get("kubernetes.io/metadata.name")
                  + "/"
                  + (peer.pods() == null ? "*" : peer.pods().getMatchLabels().get("k8s-app"));
      peer.ports().forEach(port -> reached.add(to + ":" + port));
    }
    Set<String> expected = new TreeSet<>(List.of("kube-system/kube-dns:53"));
    for (String service : Overlay.SERVICES) {
      expected.add(service + ":" + httpPort(templates.get("Deployment " + service)));
    }
    assertThat(reached).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void eachDatabaseAdmitsItsOwnServiceAndKafkaItsClients(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<NetworkPolicy> policies = inSlipway(overlay);
    SoftAssertions softly = new SoftAssertions();
    for (String service : Overlay.SERVICES) {
      Map<String, String> instance =
          Map.of("cnpg.io/cluster", service + "-db", "cnpg.io/podRole", "instance");
      Set<String> clients = new TreeSet<>();
      for (Peer peer : ingress(policies, instance)) {
        if (peer.ports().contains(5432) && peer.pods() != null && peer.namespaces() == null) {
          clients.addAll(peer.pods().getMatchLabels().values());
        }
      }
      Set<String> expected = new TreeSet<>(List.of(service, service + "-db"));
      if (overlay.find("Job", service + "-migrate").isPresent()) {
        expected.add(service + "-migrate");
      }
      softly.assertThat(clients).as("who reaches %s-db", service).isEqualTo(expected);
    }
    Kafka kafka = overlay.all("Kafka", Kafka.class).get(0);
    List<NetworkPolicyPeer> peers =
        kafka.getSpec().getKafka().getListeners().get(0).getNetworkPolicyPeers();
    Set<String> allowed = new TreeSet<>();
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getNamespaceSelector() != null) {
        allowed.add(
            peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name")
                + "/"
                + peer.getPodSelector().getMatchLabels().get("app"));
      } else {
        peer.getPodSelector().getMatchExpressions().forEach(e -> allowed.addAll(e.getValues()));
      }
    }
    Set<String> expected = new TreeSet<>(Overlay.SERVICES);
    expected.add("keda/keda-operator");
    softly.assertThat(allowed).as("who may connect to Kafka").isEqualTo(expected);
    softly.assertAll();
  }

  /**
   * A build runs a stranger's code: its pods reach the cluster's DNS and the internet, never the
   * cloud metadata address, a private range (the cluster's pods and Services, Slipway's namespace)
   * or any namespace by selector.
   */
  @ParameterizedTest
  @MethodSource("overlays")
  void buildsReachNeitherTheMetadataAddressNorTheClusterNorSlipway(String name) {
    List<NetworkPolicy> builds =
        Overlay.rendered(name).all("NetworkPolicy", NetworkPolicy.class).stream()
            .filter(p -> Overlay.BUILD_NAMESPACE.equals(p.getMetadata().getNamespace()))
            .toList();
    SoftAssertions softly = new SoftAssertions();
    softly.assertThat(builds).isNotEmpty();
    for (NetworkPolicy policy : builds) {
      for (var rule : policy.getSpec().getEgress()) {
        for (NetworkPolicyPeer to : rule.getTo()) {
          if (to.getIpBlock() == null) {
            softly
                .assertThat(to.getNamespaceSelector().getMatchLabels())
                .as("%s: a namespace builds reach", policy.getMetadata().getName())
                .containsEntry("kubernetes.io/metadata.name", "kube-system");
            softly
                .assertThat(to.getPodSelector().getMatchLabels())
                .containsEntry("k8s-app", "kube-dns");
            softly
                .assertThat(rule.getPorts().stream().map(p -> p.getPort().getIntVal()))
                .containsOnly(53);
            continue;
          }
          List<String> except =
              to.getIpBlock().getExcept() == null ? List.of() : to.getIpBlock().getExcept();
          softly
              .assertThat(except)
              .as("%s: ranges refused to builds", policy.getMetadata().getName())
              .contains(
                  "169.254.0.0/16",
                  "10.0.0.0/8",
                  "172.16.0.0/12",
                  "192.168.0.0/16",
                  "100.64.0.0/10");
        }
      }
      softly
          .assertThat(policy.getSpec().getIngress())
          .as("%s admits nothing", policy.getMetadata().getName())
          .isEmpty();
    }
    softly.assertAll();
  }

  /** One allowed peer of a rule, with the rule's ports. */
  record Peer(LabelSelector pods, LabelSelector namespaces, String cidr, List<Integer> ports) {}

  private static int httpPort(PodTemplateSpec template) {
    return template.getSpec().getContainers().get(0).getPorts().stream()
        .filter(p -> "http".equals(p.getName()))
        .map(p -> p.getContainerPort())
        .findFirst()
        .orElseThrow();
  }

  private static List<NetworkPolicy> inSlipway(Overlay overlay) {
    return overlay.all("NetworkPolicy", NetworkPolicy.class).stream()
        .filter(p -> Overlay.NAMESPACE.equals(p.getMetadata().getNamespace()))
        .toList();
  }

  private static List<Peer> egress(List<NetworkPolicy> policies, Map<String, String> labels) {
    List<Peer> peers = new ArrayList<>();
    for (NetworkPolicy policy : policies) {
      if (selects(policy.getSpec().getPodSelector(), labels)) {
        policy
            .getSpec()
            .getEgress()
            .forEach(rule -> rule.getTo().forEach(to -> peers.add(peer(to, rule.getPorts()))));
      }
    }
    return peers;
  }

  private static List<Peer> ingress(List<NetworkPolicy> policies, Map<String, String> labels) {
    List<Peer> peers = new ArrayList<>();
    for (NetworkPolicy policy : policies) {
      if (selects(policy.getSpec().getPodSelector(), labels)) {
        policy
            .getSpec()
            .getIngress()
            .forEach(
                rule -> rule.getFrom().forEach(from -> peers.add(peer(from, rule.getPorts()))));
      }
    }
    return peers;
  }

  private static Peer peer(NetworkPolicyPeer peer, List<NetworkPolicyPort> ports) {
    return new Peer(
        peer.getPodSelector(),
        peer.getNamespaceSelector(),
        peer.getIpBlock() == null ? null : peer.getIpBlock().getCidr(),
        ports.stream().map(p -> p.getPort().getIntVal()).toList());
  }

  /** Whether {@code selector} selects a pod with {@code labels} (matchLabels, In and Exists). */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    if (selector.getMatchLabels() != null
        && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
      return false;
    }
    for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
      String value = labels.get(requirement.getKey());
      boolean holds =
          switch (requirement.getOperator()) {
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "In" -> value != null && requirement.getValues().contains(value);
            case "NotIn" -> value == null || !requirement.getValues().contains(value);
            default -> throw new IllegalArgumentException(requirement.getOperator());
          };
      if (!holds) {
        return false;
      }
    }
    return true;
  }

  private static boolean isEmpty(LabelSelector selector) {
    return selector == null
        || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
            && selector.getMatchExpressions().isEmpty());
  }
}

package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole overlay applied to an API server: fabric8's mock server in CRUD mode, which learns the
 * custom kinds from their CRDs as a cluster with the operators installed would. Each object is
 * created through its model (the typed ones) or as a generic resource of its CRD, then applied a
 * second time (create-or-update, as {@code kubectl apply} is run again), and read back unchanged.
 * The objects per kind are printed.
 */
class MockApiServerApplyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The mock server logs every request at INFO; kept here so the level is not collected away. */
  private static final Logger MOCK_SERVER_LOG = quiet(Logger.getLogger("io.fabric8.mockwebserver"));

  /** API groups an API server serves without a CRD. */
  private static final Set<String> BUILT_IN_GROUPS =
      Set.of(
          "",
          "apps",
          "batch",
          "autoscaling",
          "policy",
          "rbac.authorization.k8s.io",
          "networking.k8s.io");

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void theWholeOverlayAppliesTwiceAndReadsBack(String name) {
    Overlay overlay = Overlay.rendered(name);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      Map<String, ResourceDefinitionContext> contexts = contexts(overlay);
      contexts.values().stream()
          .filter(c -> !BUILT_IN_GROUPS.contains(c.getGroup() == null ? "" : c.getGroup()))
          .forEach(c -> server.expectCustomResource(crdContext(c)));

      List<ObjectNode> ordered = new ArrayList<>(overlay.objects());
      // Namespaces first, as kubectl apply orders them.
      ordered.sort(Comparator.comparing(o -> o.path("kind").asText().equals("Namespace") ? 0 : 1));
      Map<ObjectNode, JsonNode> sent = new IdentityHashMap<>();
      for (ObjectNode object : ordered) {
        sent.put(object, apply(client, contexts.get(Models.key(object)), object, false));
      }
      for (ObjectNode object : ordered) {
        apply(client, contexts.get(Models.key(object)), object, true);
      }

      Map<String, Integer> perKind = new TreeMap<>();
      for (ObjectNode object : ordered) {
        ResourceDefinitionContext context = contexts.get(Models.key(object));
        var resources = client.genericKubernetesResources(context);
        GenericKubernetesResource stored =
            context.isNamespaceScoped()
                ? resources
                    .inNamespace(Overlay.namespace(object))
                    .withName(Overlay.name(object))
                    .get()
                : resources.withName(Overlay.name(object)).get();
        assertThat(stored).as("%s stored", Overlay.describe(object)).isNotNull();
        JsonNode storedTree = JSON.valueToTree(stored);
        for (String field : List.of("spec", "data", "rules", "roleRef", "subjects")) {
          if (object.has(field)) {
            // As text: numbers read back may be other node types (int vs long) of the same value.
            assertThat(storedTree.get(field).toString())
                .as("%s %s", Overlay.describe(object), field)
                .isEqualTo(sent.get(object).get(field).toString());
          }
        }
        perKind.merge(object.path("kind").asText(), 1, Integer::sum);
      }
      // What the API server holds equals what was rendered, kind by kind.
      perKind.forEach(
          (kind, count) -> {
            ResourceDefinitionContext context =
                contexts.values().stream()
                    .filter(c -> c.getKind().equals(kind))
                    .findFirst()
                    .orElseThrow();
            int listed =
                client
                    .genericKubernetesResources(context)
                    .inAnyNamespace()
                    .list()
                    .getItems()
                    .size();
            assertThat(listed).as("%s listed", kind).isEqualTo(count);
          });
      System.out.printf(
          "[k8s] overlay %s applied to the mock API server: %d objects: %s%n",
          name,
          ordered.size(),
          perKind.entrySet().stream()
              .map(e -> e.getValue() + " " + e.getKey())
              .collect(Collectors.joining(", ")));
    } finally {
      server.destroy();
    }
  }

  /**
   * Creates (or, {@code again}, creates or updates) {@code object}, and answers what was sent: a
   * typed object as its model writes it, the others as rendered.
   */
  private static JsonNode apply(
      KubernetesClient client,
      ResourceDefinitionContext context,
      ObjectNode object,
      boolean again) {
    JsonNode sent = object;
    var typed = Models.typeOf(object);
    if (typed.isPresent()) {
      ObjectNode written = JSON.valueToTree(Models.bind(object, typed.get()));
      written.set("apiVersion", object.get("apiVersion"));
      sent = written;
    }
    GenericKubernetesResource resource = JSON.convertValue(sent, GenericKubernetesResource.class);
    var resources = client.genericKubernetesResources(context);
    var operation =
        context.isNamespaceScoped()
            ? resources.inNamespace(resource.getMetadata().getNamespace()).resource(resource)
            : resources.resource(resource);
    if (again) {
      operation.createOr(NonDeletingOperation::update);
    } else {
      operation.create();
    }
    return sent;
  }

  /** How the API server serves each kind of the overlay: from the model class or from its CRD. */
  private static Map<String, ResourceDefinitionContext> contexts(Overlay overlay) {
    Map<String, ResourceDefinitionContext> contexts = new HashMap<>();
    for (ObjectNode object : overlay.objects()) {
      String key = Models.key(object);
      if (contexts.containsKey(key)) {
        continue;
      }
      var typed = Models.typeOf(object);
      if (typed.isPresent()) {
        // The version the object names (a model class may name another one it also serves).
        String apiVersion = object.path("apiVersion").asText();
        int slash = apiVersion.indexOf('/');
        contexts.put(
            key,
            new ResourceDefinitionContext.Builder()
                .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                .withVersion(apiVersion.substring(slash + 1))
                .withKind(HasMetadata.getKind(typed.get()))
                .withPlural(HasMetadata.getPlural(typed.get()))
                .withNamespaced(Namespaced.class.isAssignableFrom(typed.get()))
                .build());
      } else {
        CustomResourceDefinition crd =
            CrdSchemas.definitions().stream()
                .filter(
                    d ->
                        key.startsWith(d.getSpec().getGroup() + "/")
                            && key.endsWith("/" + d.getSpec().getNames().getKind()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no CRD for " + key));
        contexts.put(key, CustomResourceDefinitionContext.fromCrd(crd));
      }
    }
    return contexts;
  }

  private static CustomResourceDefinitionContext crdContext(ResourceDefinitionContext context) {
    return new CustomResourceDefinitionContext.Builder()
        .withGroup(context.getGroup())
        .withVersion(context.getVersion())
        .withPlural(context.getPlural())
        .withKind(context.getKind())
        .withScope(context.isNamespaceScoped() ? "Namespaced" : "Cluster")
        .build();
  }

  private static Logger quiet(Logger logger) {
    logger.setLevel(Level.WARNING);
    return logger;
  }
}

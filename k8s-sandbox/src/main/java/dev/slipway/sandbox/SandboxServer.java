package dev.slipway.sandbox;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServerAddressByClientCIDRBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A sandbox Kubernetes API server on loopback (plain HTTP): fabric8's CRUD mock server answering
 * server-side apply ({@link SandboxDispatcher}), with the {@link RolloutSimulator} moving
 * Deployment, ReplicaSet and pod status, version and discovery documents for clients such as
 * kubectl, and Gateway API HTTPRoutes as a known custom resource. Tests start one per cluster they
 * need; {@link SandboxMain} runs one standalone.
 */
public final class SandboxServer implements AutoCloseable {

  /** The Gateway API HTTPRoute, which the sandbox stores as a custom resource. */
  public static final CustomResourceDefinitionContext HTTP_ROUTE =
      new CustomResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind("HTTPRoute")
          .withPlural("httproutes")
          .withScope("Namespaced")
          .withStatusSubresource(true)
          .build();

  /** The Kubernetes version the sandbox reports. */
  public static final String VERSION = "v1.31.0-slipway-sandbox";

  private static final List<String> VERBS =
      List.of("create", "delete", "get", "list", "patch", "update", "watch");

  private final KubernetesMockServer server;
  private final SandboxDispatcher dispatcher;
  private final NamespacedKubernetesClient client;
  private final KubernetesClient controllerClient;
  private final RolloutSimulator simulator;
  private final ScheduledExecutorService housekeeping;
  private final Map<String, List<DeploymentWrite>> writes = new ConcurrentHashMap<>();

  private SandboxServer(int port, BehaviourPolicy policy, RolloutSimulator.Settings settings) {
    // The mock web server logs every request at INFO; a sandbox API server is not that chatty.
    Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    this.dispatcher = new SandboxDispatcher(expectations, fixedDocuments());
    dispatcher.store().expectCustomResource(HTTP_ROUTE);
    this.server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            expectations,
            dispatcher,
            false);
    server.init(loopback(), port);
    this.client = server.createClient();
    this.controllerClient =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withUserAgent(WorkloadControllers.CONTROLLER_MANAGER + "/" + VERSION)
                    .build())
            .build();
    this.simulator = new RolloutSimulator(controllerClient, policy, settings);
    dispatcher.listener(this::changed);
    // The mock web server keeps every request it served; drop them so a long run does not grow.
    this.housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "sandbox-housekeeping");
              thread.setDaemon(true);
              return thread;
            });
    housekeeping.scheduleWithFixedDelay(this::dropRecordedRequests, 5, 5, TimeUnit.SECONDS);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build())
        .create();
  }

  /** A sandbox on a free port whose Deployments all become available at once. */
  public static SandboxServer start() {
    return start(0, BehaviourPolicy.ALWAYS_AVAILABLE, RolloutSimulator.Settings.DEFAULTS);
  }

  /**
   * A sandbox on {@code port} (0: a free one) of 127.0.0.1.
   *
   * @param policy how the pods of each Deployment behave
   * @param settings the simulated kubelet's timings
   */
  public static SandboxServer start(
      int port, BehaviourPolicy policy, RolloutSimulator.Settings settings) {
    return new SandboxServer(port, policy, settings);
  }

  /** The API server's URL, e.g. {@code http://127.0.0.1:43121}. */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** The port the API server listens on. */
  public int port() {
    return server.getPort();
  }

  /** A client of this API server, for tests that set up or inspect the cluster. */
  public NamespacedKubernetesClient client() {
    return client;
  }

  /** Creates namespace {@code name} unless it exists, as a platform team would beforehand. */
  public void createNamespace(String name) {
    if (client.namespaces().withName(name).get() == null) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    }
  }

  /**
   * Every write of the Deployment {@code namespace/name} since the sandbox started, oldest first
   * (what an audit log of the API server would show), e.g. to see each canary step's replicas.
   */
  public List<DeploymentWrite> writes(String namespace, String name) {
    return List.copyOf(writes.getOrDefault(namespace + "/" + name, List.of()));
  }

  /**
   * Every distinct {@code Authorization} header the server received (the sandbox's own simulator
   * included), e.g. to prove that a client sent the token it was given.
   */
  public java.util.Set<String> authorizations() {
    return dispatcher.authorizations();
  }

  /**
   * A kubeconfig whose only cluster, user and context are named {@code name} and point at this
   * server. The sandbox checks no credentials; the token is a placeholder clients insist on.
   */
  public String kubeconfig(String name) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
        users:
        - name: %1$s
          user:
            token: sandbox-accepts-any-token
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: default
        current-context: %1$s
        """
        .formatted(name, url());
  }

  /** Writes {@link #kubeconfig(String)} to {@code file}, creating its folder. */
  public void writeKubeconfig(Path file, String name) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, kubeconfig(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    housekeeping.shutdownNow();
    simulator.close();
    controllerClient.close();
    client.close();
    server.destroy();
  }

  private void changed(String kind, String namespace, String name, String state) {
    if ("Deployment".equals(kind)) {
      Deployment deployment = SandboxDispatcher.deployment(state);
      String key = namespace + "/" + name;
      DeploymentWrite write;
      if (deployment != null) {
        var containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        write =
            new DeploymentWrite(
                Objects.requireNonNullElse(deployment.getMetadata().getGeneration(), 1L),
                Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1),
                containers.isEmpty() ? null : containers.get(0).getImage(),
                Instant.now());
      } else {
        write = new DeploymentWrite(0, 0, null, Instant.now());
      }
      writes.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(write);
    }
    simulator.changed(kind, namespace, name);
  }

  private void dropRecordedRequests() {
    try {
      while (server.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
        // dropped
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Version and discovery documents, so kubectl and fabric8's discovery calls get answers. */
  private static Map<String, String> fixedDocuments() {
    Map<String, String> documents = new LinkedHashMap<>();
    documents.put(
        "/version",
        """
        {"major":"1","minor":"31","gitVersion":"%s","gitCommit":"sandbox","gitTreeState":"clean",\
        "buildDate":"2026-01-01T00:00:00Z","goVersion":"go1.22","compiler":"gc",\
        "platform":"linux/amd64"}"""
            .formatted(VERSION));
    documents.put(
        "/api",
        Serialization.asJson(
            new APIVersionsBuilder()
                .withVersions("v1")
                .withServerAddressByClientCIDRs(
                    new ServerAddressByClientCIDRBuilder()
                        .withClientCIDR("0.0.0.0/0")
                        .withServerAddress("127.0.0.1")
                        .build())
                .build()));
    documents.put(
        "/apis",
        Serialization.asJson(
            new APIGroupListBuilder()
                .withGroups(
                    group("apps", "v1"),
                    group("batch", "v1"),
                    group("autoscaling", "v2"),
                    group("networking.k8s.io", "v1"),
                    group("policy", "v1"),
                    group("rbac.authorization.k8s.io", "v1"),
                    group("apiextensions.k8s.io", "v1"),
                    group(HTTP_ROUTE.getGroup(), "v1"))
                .build()));
    documents.put(
        "/api/v1",
        resources(
            "v1",
            resource("pods", "Pod", true, "po"),
            resource("pods/status", "Pod", true),
            resource("pods/log", "Pod", true),
            resource("services", "Service", true, "svc"),
            resource("endpoints", "Endpoints", true, "ep"),
            resource("events", "Event", true, "ev"),
            resource("configmaps", "ConfigMap", true, "cm"),
            resource("secrets", "Secret", true),
            resource("serviceaccounts", "ServiceAccount", true, "sa"),
            resource("persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc"),
            resource("persistentvolumes", "PersistentVolume", false, "pv"),
            resource("resourcequotas", "ResourceQuota", true, "quota"),
            resource("limitranges", "LimitRange", true, "limits"),
            resource("namespaces", "Namespace", false, "ns")));
    documents.put(
        "/apis/apps/v1",
        resources(
            "apps/v1",
            resource("deployments", "Deployment", true, "deploy"),
            resource("deployments/status", "Deployment", true),
            resource("deployments/scale", "Scale", true),
            resource("replicasets", "ReplicaSet", true, "rs"),
            resource("replicasets/status", "ReplicaSet", true),
            resource("statefulsets", "StatefulSet", true, "sts"),
            resource("statefulsets/status", "StatefulSet", true),
            resource("statefulsets/scale", "Scale", true),
            resource("daemonsets", "DaemonSet", true, "ds")));
    documents.put(
        "/apis/batch/v1",
        resources(
            "batch/v1",
            resource("jobs", "Job", true),
            resource("jobs/status", "Job", true),
            resource("cronjobs", "CronJob", true, "cj")));
    documents.put(
        "/apis/autoscaling/v2",
        resources(
            "autoscaling/v2",
            resource("horizontalpodautoscalers", "HorizontalPodAutoscaler", true, "hpa"),
            resource("horizontalpodautoscalers/status", "HorizontalPodAutoscaler", true)));
    documents.put(
        "/apis/networking.k8s.io/v1",
        resources(
            "networking.k8s.io/v1",
            resource("ingresses", "Ingress", true, "ing"),
            resource("ingresses/status", "Ingress", true),
            resource("networkpolicies", "NetworkPolicy", true, "netpol"),
            resource("ingressclasses", "IngressClass", false)));
    documents.put(
        "/apis/policy/v1",
        resources(
            "policy/v1", resource("poddisruptionbudgets", "PodDisruptionBudget", true, "pdb")));
    documents.put(
        "/apis/rbac.authorization.k8s.io/v1",
        resources(
            "rbac.authorization.k8s.io/v1",
            resource("roles", "Role", true),
            resource("rolebindings", "RoleBinding", true),
            resource("clusterroles", "ClusterRole", false),
            resource("clusterrolebindings", "ClusterRoleBinding", false)));
    documents.put(
        "/apis/apiextensions.k8s.io/v1",
        resources(
            "apiextensions.k8s.io/v1",
            resource("customresourcedefinitions", "CustomResourceDefinition", false, "crd")));
    documents.put(
        "/apis/" + HTTP_ROUTE.getGroup() + "/v1",
        resources(
            HTTP_ROUTE.getGroup() + "/v1",
            resource("httproutes", "HTTPRoute", true),
            resource("httproutes/status", "HTTPRoute", true)));
    return documents;
  }

  private static io.fabric8.kubernetes.api.model.APIGroup group(String name, String version) {
    var groupVersion =
        new GroupVersionForDiscoveryBuilder()
            .withGroupVersion(name + "/" + version)
            .withVersion(version)
            .build();
    return new APIGroupBuilder()
        .withName(name)
        .withVersions(groupVersion)
        .withPreferredVersion(groupVersion)
        .build();
  }

  private static String resources(String groupVersion, APIResource... resources) {
    return Serialization.asJson(
        new APIResourceListBuilder()
            .withGroupVersion(groupVersion)
            .withResources(new ArrayList<>(List.of(resources)))
            .build());
  }

  private static APIResource resource(
      String plural, String kind, boolean namespaced, String... shortNames) {
    return new APIResourceBuilder()
        .withName(plural)
        .withKind(kind)
        .withNamespaced(namespaced)
        .withShortNames(shortNames)
        .withSingularName("")
        .withVerbs(plural.contains("/") ? List.of("get", "patch", "update") : VERBS)
        .build();
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByName("127.0.0.1");
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One write of a Deployment as the API server stored it.
   *
   * @param generation its {@code metadata.generation} (0 for a deletion)
   * @param replicas {@code spec.replicas} (0 for a deletion)
   * @param image the first container's image (null for a deletion)
   * @param at when the write happened
   */
  public record DeploymentWrite(long generation, int replicas, String image, Instant at) {

    /** Whether this write deleted the Deployment. */
    public boolean deletion() {
      return image == null;
    }
  }
}

package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The settings the manifests give each service are ones it reads: every environment variable of a
 * Slipway pod (its own and those of the ConfigMaps it takes whole) names a property its service
 * declares ({@link ServiceConfig}: {@code application.properties}, the variables it references, its
 * {@code @ConfigMapping}s), a Quarkus property from the list below, a Kafka client property or an
 * attribute of one of its channels; every key of a mounted config file likewise. Each Deployment
 * gets what its service needs in a cluster, and every path a setting names is mounted.
 */
class ServiceSettingsTest {

  /**
   * The Quarkus properties the manifests may set, each checked against Quarkus 3.33's config model
   * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json} of its extensions): a new one
   * goes here only once it is known to exist and to be read at run time.
   */
  private static final Set<String> QUARKUS =
      Set.of(
          "quarkus.http.port",
          "quarkus.init-and-exit",
          "quarkus.config.locations",
          "quarkus.datasource.username",
          "quarkus.datasource.password",
          "quarkus.datasource.jdbc.url",
          "quarkus.datasource.reactive.url",
          "quarkus.datasource.reactive.postgresql.ssl-mode",
          "quarkus.datasource.reactive.trust-certificate-pem",
          "quarkus.datasource.reactive.trust-certificate-pem.certs",
          "quarkus.datasource.reactive.hostname-verification-algorithm",
          "quarkus.datasource.reactive.idle-timeout",
          "quarkus.datasource.jdbc.idle-removal-interval",
          "quarkus.flyway.migrate-at-start",
          "quarkus.flyway.init-sql",
          "quarkus.flyway.username",
          "quarkus.flyway.password");

  /**
   * What every service needs in the cluster: Kafka and its credentials, its database and its
   * credentials, the key that checks bearer tokens.
   */
  private static final List<String> EVERY_SERVICE =
      List.of(
          "KAFKA_BOOTSTRAP_SERVERS",
          "KAFKA_SECURITY_PROTOCOL",
          "KAFKA_SASL_MECHANISM",
          "KAFKA_SASL_JAAS_CONFIG",
          "QUARKUS_DATASOURCE_JDBC_URL",
          "QUARKUS_DATASOURCE_REACTIVE_URL",
          "QUARKUS_DATASOURCE_USERNAME",
          "QUARKUS_DATASOURCE_PASSWORD",
          "SLIPWAY_JWT_PUBLIC_KEY");

  /**
   * What the console needs in the cluster: no Kafka, no database; the five services by their
   * in-cluster names (the defaults are a laptop's ports), the key that seals sessions and the one
   * that checks the platform's sign-in tokens.
   */
  private static final List<String> CONSOLE =
      List.of(
          "SLIPWAY_CONSOLE_TRIGGER_URL",
          "SLIPWAY_CONSOLE_BUILD_URL",
          "SLIPWAY_CONSOLE_SCAN_URL",
          "SLIPWAY_CONSOLE_DEPLOY_URL",
          "SLIPWAY_CONSOLE_AUDIT_URL",
          "SLIPWAY_CONSOLE_SESSION_KEY",
          "SLIPWAY_JWT_PUBLIC_KEY");

  /** What a service needs beyond that, in the cluster (not on a laptop). */
  private static final Map<String, List<String>> OWN =
      Map.of(
          "trigger-service",
          List.of("SLIPWAY_TRIGGER_SECRET_KEY", "SLIPWAY_TRIGGER_PUBLIC_URL"),
          "build-service",
          List.of(
              "SLIPWAY_BUILD_EXECUTOR",
              "SLIPWAY_BUILD_KUBERNETES_NAMESPACE",
              "SLIPWAY_BUILD_KUBERNETES_SERVICE_ACCOUNT",
              "SLIPWAY_BUILD_KUBERNETES_WORKSPACE_CLAIM",
              "SLIPWAY_BUILD_KUBERNETES_WORKSPACE_MOUNT_PATH",
              "SLIPWAY_BUILD_WORKSPACE_DIR",
              "SLIPWAY_BUILD_CACHE_DIR",
              "SLIPWAY_BUILD_REGISTRY_ADDRESS",
              "SLIPWAY_BUILD_REGISTRY_INSECURE"),
          "scan-service",
          List.of("SLIPWAY_SCAN_ADVISORIES_DIRECTORY"),
          "deploy-service",
          List.of("QUARKUS_CONFIG_LOCATIONS"),
          "audit-service",
          List.of("SLIPWAY_AUDIT_CHECKPOINT_KEY", "SLIPWAY_AUDIT_CHECKPOINT_FILE"));

  private static final Pattern IMAGE_SERVICE =
      Pattern.compile("(?:^|/)slipway/([a-z-]+)(?:[@:]|$)");
  private static final Pattern CHANNEL_ENV =
      Pattern.compile("MP_MESSAGING_(?:INCOMING|OUTGOING)_([A-Z0-9_]+?)_(ENABLED)");
  private static final Map<String, ServiceConfig> CONFIGS = new ConcurrentHashMap<>();

  static List<String> overlays() {
    return Overlay.names();
  }

  private static ServiceConfig config(String service) {
    return CONFIGS.computeIfAbsent(service, ServiceConfig::of);
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyEnvironmentVariableIsASettingItsServiceReads(String name) {
    Overlay overlay = Overlay.rendered(name);
    SoftAssertions softly = new SoftAssertions();
    containers(overlay)
        .forEach(
            (where, pod) ->
                environment(overlay, pod.container())
                    .keySet()
                    .forEach(
                        env ->
                            softly
                                .assertThat(reads(config(pod.service()), env))
                                .as(
                                    "%s sets %s: %s reads no such setting",
                                    where, env, pod.service())
                                .isTrue()));
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyMountedConfigFileHoldsSettingsItsServiceReads(String name) {
    Overlay overlay = Overlay.rendered(name);
    SoftAssertions softly = new SoftAssertions();
    containers(overlay)
        .forEach(
            (where, pod) -> {
              String locations =
                  environment(overlay, pod.container()).get("QUARKUS_CONFIG_LOCATIONS");
              if (locations == null) {
                return;
              }
              for (String location : locations.split(",")) {
                Optional<String> file = mountedFile(overlay, pod, location.strip());
                softly
                    .assertThat(file)
                    .as("%s: %s is a mounted ConfigMap key", where, location)
                    .isPresent();
                file.map(ServiceSettingsTest::properties)
                    .ifPresent(
                        properties ->
                            properties
                                .stringPropertyNames()
                                .forEach(
                                    key ->
                                        softly
                                            .assertThat(config(pod.service()).declaresProperty(key))
                                            .as(
                                                "%s: %s sets %s, which %s does not read",
                                                where, location, key, pod.service())
                                            .isTrue()));
              }
            });
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyServiceGetsWhatItNeedsInTheCluster(String name) {
    Overlay overlay = Overlay.rendered(name);
    SoftAssertions softly = new SoftAssertions();
    containers(overlay).entrySet().stream()
        .filter(e -> e.getKey().startsWith("Deployment"))
        .forEach(
            e -> {
              Pod pod = e.getValue();
              Set<String> given = environment(overlay, pod.container()).keySet();
              Set<String> needed = new TreeSet<>();
              if (pod.service().equals("console")) {
                needed.addAll(CONSOLE);
              } else {
                needed.addAll(EVERY_SERVICE);
                needed.addAll(OWN.get(pod.service()));
              }
              // What the packaged service does not start without (no default anywhere).
              needed.addAll(config(pod.service()).requiredEnv());
              softly.assertThat(given).as("%s's settings", e.getKey()).containsAll(needed);
            });
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void buildServiceRunsBuildsAsJobsOnTheClaimItMounts(String name) {
    Overlay overlay = Overlay.rendered(name);
    Pod pod = containers(overlay).get("Deployment build-service");
    Map<String, String> env = environment(overlay, pod.container());
    assertThat(env.get("SLIPWAY_BUILD_EXECUTOR")).isEqualTo("kubernetes");
    assertThat(env.get("SLIPWAY_BUILD_KUBERNETES_NAMESPACE")).isEqualTo(Overlay.BUILD_NAMESPACE);
    assertThat(
            overlay.all("ServiceAccount", ServiceAccount.class).stream()
                .map(a -> a.getMetadata().getNamespace() + "/" + a.getMetadata().getName()))
        .contains(
            Overlay.BUILD_NAMESPACE + "/" + env.get("SLIPWAY_BUILD_KUBERNETES_SERVICE_ACCOUNT"));
    String mountPath = env.get("SLIPWAY_BUILD_KUBERNETES_WORKSPACE_MOUNT_PATH");
    VolumeMount mount =
        pod.container().getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals(mountPath))
            .findFirst()
            .orElseThrow(() -> new AssertionError("nothing mounted at " + mountPath));
    Volume volume = pod.volume(mount.getName()).orElseThrow();
    assertThat(volume.getPersistentVolumeClaim()).as("the workspace volume").isNotNull();
    assertThat(volume.getPersistentVolumeClaim().getClaimName())
        .isEqualTo(env.get("SLIPWAY_BUILD_KUBERNETES_WORKSPACE_CLAIM"));
    assertThat(mount.getReadOnly()).isNotEqualTo(true);
    // The executor refuses to start unless the workspaces lie on the claim.
    assertThat(env.get("SLIPWAY_BUILD_WORKSPACE_DIR")).startsWith(mountPath + "/");
  }

  /** The console calls each service at its in-cluster Service, on a port that Service serves. */
  @ParameterizedTest
  @MethodSource("overlays")
  void theConsoleCallsEachServiceThroughItsService(String name) {
    Overlay overlay = Overlay.rendered(name);
    Map<String, String> env =
        environment(overlay, containers(overlay).get("Deployment console").container());
    SoftAssertions softly = new SoftAssertions();
    for (String service : Overlay.SERVICES) {
      String variable = "SLIPWAY_CONSOLE_" + service.replace("-service", "").toUpperCase() + "_URL";
      URI uri = URI.create(env.getOrDefault(variable, ""));
      softly.assertThat(uri.getScheme()).as(variable).isEqualTo("http");
      softly.assertThat(uri.getHost()).as(variable).isEqualTo(service);
      int port = uri.getPort() == -1 ? 80 : uri.getPort();
      softly
          .assertThat(overlay.find("Service", service).map(o -> Models.bind(o, Service.class)))
          .as("%s: Service %s", variable, service)
          .hasValueSatisfying(
              s -> assertThat(s.getSpec().getPorts()).anyMatch(p -> p.getPort() == port));
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyPathASettingNamesIsMounted(String name) {
    Overlay overlay = Overlay.rendered(name);
    SoftAssertions softly = new SoftAssertions();
    // The migration Job reads only its database (its Kafka consumer is off and it serves nothing),
    // so only the Deployments need every file their shared settings name.
    containers(overlay).entrySet().stream()
        .filter(e -> e.getKey().startsWith("Deployment"))
        .forEach(
            e ->
                environment(overlay, e.getValue().container())
                    .forEach(
                        (env, value) ->
                            paths(value)
                                .forEach(
                                    path ->
                                        softly
                                            .assertThat(
                                                e.getValue().container().getVolumeMounts().stream()
                                                    .map(VolumeMount::getMountPath))
                                            .as("%s: %s names %s", e.getKey(), env, path)
                                            .anyMatch(
                                                m -> path.equals(m) || path.startsWith(m + "/")))));
    softly.assertAll();
  }

  /** The source parsing sees what SmallRye Config would make of a mapping. */
  @Test
  void mappingsAreReadAsSmallRyeNamesThem() {
    String source =
        """
        @ConfigMapping(prefix = "slipway.demo")
        public interface DemoConfig {
          /** A {@code Map}: not a property. */
          Map<String, Cluster> clusters();
          @WithDefault("2s")
          Duration pollInterval();
          String secretKey();
          Optional<Path> file();
          Map<String, String> nodeSelector();
          @WithName("renamed-one")
          int other();
          Outbox outbox();
          enum Mode { A, B }
          interface Cluster {
            Optional<String> kubeconfig();
            @WithDefault("false")
            boolean inCluster();
            Optional<TokenSecret> tokenSecret();
          }
          interface TokenSecret {
            String namespace();
          }
          interface Outbox {
            int batchSize();
          }
        }
        """;
    assertThat(ServiceConfig.mappings(source))
        .containsExactlyInAnyOrder(
            new ServiceConfig.MappedProperty("slipway.demo.clusters.*.kubeconfig", false),
            new ServiceConfig.MappedProperty("slipway.demo.clusters.*.in-cluster", false),
            new ServiceConfig.MappedProperty(
                "slipway.demo.clusters.*.token-secret.namespace", false),
            new ServiceConfig.MappedProperty("slipway.demo.poll-interval", false),
            new ServiceConfig.MappedProperty("slipway.demo.secret-key", true),
            new ServiceConfig.MappedProperty("slipway.demo.file", false),
            new ServiceConfig.MappedProperty("slipway.demo.node-selector.*", false),
            new ServiceConfig.MappedProperty("slipway.demo.renamed-one", true),
            new ServiceConfig.MappedProperty("slipway.demo.outbox.batch-size", true));
  }

  /** The names the check accepts and rejects, for deploy-service's real configuration. */
  @Test
  void aSettingIsReadOnlyUnderANameItsServiceKnows() {
    ServiceConfig deploy = config("deploy-service");
    assertThat(deploy.declaresEnv("SLIPWAY_DEPLOY_CLUSTERS_LOCAL_KUBECONFIG")).isTrue();
    assertThat(deploy.declaresEnv("SLIPWAY_DEPLOY_CLUSTERS_HOME_IN_CLUSTER")).isTrue();
    assertThat(deploy.declaresEnv("SLIPWAY_DEPLOY_ROLLOUTS_LEASE")).isTrue();
    assertThat(deploy.declaresEnv("SLIPWAY_JWT_PUBLIC_KEY")).isTrue();
    // The names the manifests used to guess, and a map key SmallRye would drop (the dash).
    assertThat(deploy.declaresEnv("SLIPWAY_DEPLOY_KUBECONFIG_DIRECTORY")).isFalse();
    assertThat(deploy.declaresEnv("SLIPWAY_DEPLOY_CLUSTERS_PROD_EU_KUBECONFIG")).isFalse();
    assertThat(deploy.declaresProperty("slipway.deploy.clusters.prod-eu.kubeconfig")).isTrue();
    assertThat(deploy.declaresProperty("slipway.deploy.clusters.prod-eu.kubeconfig-dir")).isFalse();
    assertThat(reads(deploy, "KAFKA_SSL_TRUSTSTORE_LOCATION")).isTrue();
    assertThat(reads(deploy, "KAFKA_TRUSTSTORE")).isFalse();
    assertThat(reads(deploy, "QUARKUS_DATASOURCE_REACTIVE_URL")).isTrue();
    assertThat(reads(deploy, "QUARKUS_DATASOURCE_REACTIVE_SSL")).isFalse();
    assertThat(reads(config("audit-service"), "MP_MESSAGING_INCOMING_AUDIT_IN_ENABLED")).isTrue();
    assertThat(reads(deploy, "MP_MESSAGING_INCOMING_AUDIT_IN_ENABLED")).isFalse();
    assertThat(config("trigger-service").requiredEnv()).contains("SLIPWAY_TRIGGER_SECRET_KEY");
  }

  /** Whether {@code service} reads the environment variable {@code env}. */
  private static boolean reads(ServiceConfig service, String env) {
    if (env.equals("JAVA_TOOL_OPTIONS")) {
      // Read by every JVM at its start, before any service code.
      return true;
    }
    if (env.equals("MALLOC_ARENA_MAX")) {
      // Read by glibc's malloc in every process.
      return true;
    }
    if (env.startsWith("SLIPWAY_")) {
      return service.declaresEnv(env);
    }
    if (env.startsWith("QUARKUS_")) {
      return Stream.concat(
              QUARKUS.stream(), service.properties().stream().filter(p -> p.startsWith("quarkus.")))
          .anyMatch(p -> ServiceConfig.envName(p).equals(env));
    }
    if (env.startsWith("KAFKA_")) {
      // Quarkus hands every KAFKA_* variable to the Kafka clients, lower case, _ as .
      String property = env.substring("KAFKA_".length()).toLowerCase().replace('_', '.');
      return Stream.of(
              ProducerConfig.configNames(),
              ConsumerConfig.configNames(),
              AdminClientConfig.configNames())
          .anyMatch(names -> names.contains(property));
    }
    Matcher channel = CHANNEL_ENV.matcher(env);
    if (channel.matches()) {
      return service.channels().stream()
          .anyMatch(c -> ServiceConfig.envName(c).equals(channel.group(1)));
    }
    return false;
  }

  /** A Slipway container and the service whose image it runs. */
  private record Pod(String service, PodTemplateSpec template, Container container) {
    Optional<Volume> volume(String name) {
      return template.getSpec().getVolumes().stream()
          .filter(v -> v.getName().equals(name))
          .findFirst();
    }
  }

  /** Every container running a service's image, by {@code Kind name}. */
  private static Map<String, Pod> containers(Overlay overlay) {
    Map<String, Pod> pods = new LinkedHashMap<>();
    PodHardeningTest.templates(overlay)
        .forEach(
            (owner, template) -> {
              for (Container container : template.getSpec().getContainers()) {
                Matcher image = IMAGE_SERVICE.matcher(container.getImage());
                assertThat(image.find()).as("%s runs %s", owner, container.getImage()).isTrue();
                assertThat(Overlay.DEPLOYMENTS).contains(image.group(1));
                pods.put(owner, new Pod(image.group(1), template, container));
              }
            });
    assertThat(pods.keySet()).hasSizeGreaterThanOrEqualTo(Overlay.SERVICES.size());
    return pods;
  }

  /**
   * The container's environment: the ConfigMaps it takes whole (as rendered), then its own
   * variables (a value from a Secret as {@code <secret name/key>}).
   */
  private static Map<String, String> environment(Overlay overlay, Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource source : container.getEnvFrom()) {
      assertThat(source.getSecretRef())
          .as("envFrom a Secret: its keys are not known here")
          .isNull();
      String name = source.getConfigMapRef().getName();
      ConfigMap map =
          overlay
              .find("ConfigMap", name)
              .map(o -> Models.bind(o, ConfigMap.class))
              .orElseThrow(() -> new AssertionError("ConfigMap " + name + " is not rendered"));
      env.putAll(map.getData());
    }
    for (EnvVar variable : container.getEnv()) {
      String value = variable.getValue();
      if (value == null
          && variable.getValueFrom() != null
          && variable.getValueFrom().getSecretKeyRef() != null) {
        var ref = variable.getValueFrom().getSecretKeyRef();
        value = "<" + ref.getName() + "/" + ref.getKey() + ">";
      }
      env.put(variable.getName(), value == null ? "" : value);
    }
    return env;
  }

  /** The absolute paths a setting's value names (a file: URL, a JDBC parameter, a list item). */
  private static Set<String> paths(String value) {
    return Stream.of(value.split("[,?&=]"))
        .map(String::strip)
        .map(v -> v.startsWith("file:") ? v.substring("file:".length()) : v)
        .filter(v -> v.startsWith("/"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The content of the ConfigMap key mounted at {@code path} in the pod, if one is. */
  private static Optional<String> mountedFile(Overlay overlay, Pod pod, String path) {
    for (VolumeMount mount : pod.container().getVolumeMounts()) {
      if (!path.startsWith(mount.getMountPath() + "/")) {
        continue;
      }
      String key = path.substring(mount.getMountPath().length() + 1);
      Optional<String> name =
          pod.volume(mount.getName())
              .filter(v -> v.getConfigMap() != null)
              .map(v -> v.getConfigMap().getName());
      if (name.isPresent()) {
        return overlay
            .find("ConfigMap", name.get())
            .map(o -> o.path("data").path(key))
            .filter(JsonNode::isTextual)
            .map(JsonNode::asText);
      }
    }
    return Optional.empty();
  }

  private static Properties properties(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}

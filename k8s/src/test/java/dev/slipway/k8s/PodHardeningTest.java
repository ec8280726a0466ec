package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pod an overlay runs (the services' Deployments and the migration Job) is hardened: non-root
 * with the runtime's default seccomp profile, no privilege escalation, no capabilities, a read-only
 * root filesystem with an emptyDir for /tmp, requests and limits, and, for the services, startup,
 * readiness and liveness probes on /q/health/* and a spread over zones.
 */
class PodHardeningTest {

  /** The most a service was measured to hold when idle (180-240 MiB, see the base manifests). */
  private static final BigDecimal MEASURED_IDLE_RSS =
      Quantity.getAmountInBytes(new Quantity("240Mi"));

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyPodIsNonRootSeccompedAndReadOnlyWithRequestsAndLimits(String name) {
    SoftAssertions softly = new SoftAssertions();
    templates(Overlay.rendered(name))
        .forEach(
            (owner, template) -> {
              PodSpec pod = template.getSpec();
              PodSecurityContext podSecurity = pod.getSecurityContext();
              softly.assertThat(podSecurity).as("%s securityContext", owner).isNotNull();
              if (podSecurity == null) {
                return;
              }
              softly
                  .assertThat(podSecurity.getRunAsNonRoot())
                  .as("%s runAsNonRoot", owner)
                  .isTrue();
              softly
                  .assertThat(podSecurity.getSeccompProfile().getType())
                  .as("%s seccomp", owner)
                  .isEqualTo("RuntimeDefault");
              softly
                  .assertThat(pod.getHostNetwork())
                  .as("%s hostNetwork", owner)
                  .isNotEqualTo(true);
              softly.assertThat(pod.getHostPID()).as("%s hostPID", owner).isNotEqualTo(true);
              softly.assertThat(pod.getHostIPC()).as("%s hostIPC", owner).isNotEqualTo(true);
              softly
                  .assertThat(pod.getServiceAccountName())
                  .as("%s service account", owner)
                  .isNotBlank()
                  .isNotEqualTo("default");
              for (Container container : containers(pod)) {
                String where = owner + " container " + container.getName();
                SecurityContext security = container.getSecurityContext();
                softly.assertThat(security).as("%s securityContext", where).isNotNull();
                if (security == null) {
                  continue;
                }
                softly
                    .assertThat(security.getAllowPrivilegeEscalation())
                    .as("%s escalation", where)
                    .isFalse();
                softly
                    .assertThat(security.getReadOnlyRootFilesystem())
                    .as("%s read-only root", where)
                    .isTrue();
                softly
                    .assertThat(security.getPrivileged())
                    .as("%s privileged", where)
                    .isNotEqualTo(true);
                softly
                    .assertThat(security.getCapabilities().getDrop())
                    .as("%s drop", where)
                    .contains("ALL");
                softly
                    .assertThat(security.getCapabilities().getAdd())
                    .as("%s add", where)
                    .isNullOrEmpty();
                softly
                    .assertThat(security.getRunAsNonRoot() != Boolean.FALSE)
                    .as("%s runAsNonRoot not undone", where)
                    .isTrue();
                softly
                    .assertThat(tmpVolume(pod, container))
                    .as("%s /tmp volume", where)
                    .isEqualTo("emptyDir");
                var resources = container.getResources();
                softly
                    .assertThat(resources.getRequests())
                    .as("%s requests", where)
                    .containsKeys("cpu", "memory");
                softly
                    .assertThat(resources.getLimits())
                    .as("%s limits", where)
                    .containsKeys("cpu", "memory");
                if (resources.getRequests().containsKey("memory")
                    && resources.getLimits().containsKey("memory")) {
                  BigDecimal request =
                      Quantity.getAmountInBytes(resources.getRequests().get("memory"));
                  BigDecimal limit = Quantity.getAmountInBytes(resources.getLimits().get("memory"));
                  softly
                      .assertThat(request)
                      .as("%s memory request vs measured RSS", where)
                      .isGreaterThanOrEqualTo(MEASURED_IDLE_RSS);
                  softly
                      .assertThat(limit)
                      .as("%s memory limit", where)
                      .isGreaterThanOrEqualTo(request);
                }
              }
            });
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyServiceProbesHealthAndSpreadsOverZones(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<Deployment> deployments = overlay.all("Deployment", Deployment.class);
    assertThat(deployments)
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(Overlay.DEPLOYMENTS);
    SoftAssertions softly = new SoftAssertions();
    for (Deployment deployment : deployments) {
      String service = deployment.getMetadata().getName();
      PodTemplateSpec template = deployment.getSpec().getTemplate();
      Container container = template.getSpec().getContainers().get(0);
      softly.assertThat(template.getSpec().getContainers()).as(service).hasSize(1);
      softly
          .assertThat(container.getPorts())
          .as("%s ports", service)
          .anyMatch(p -> "http".equals(p.getName()));
      probe(softly, service + " startup", container.getStartupProbe(), "/q/health/started");
      probe(softly, service + " readiness", container.getReadinessProbe(), "/q/health/ready");
      probe(softly, service + " liveness", container.getLivenessProbe(), "/q/health/live");
      List<TopologySpreadConstraint> spread = template.getSpec().getTopologySpreadConstraints();
      softly
          .assertThat(spread)
          .as("%s spread over zones", service)
          .anyMatch(
              c ->
                  c.getTopologyKey().equals("topology.kubernetes.io/zone")
                      && c.getMaxSkew() == 1
                      && template
                          .getMetadata()
                          .getLabels()
                          .entrySet()
                          .containsAll(c.getLabelSelector().getMatchLabels().entrySet()));
      if (overlay.isProd()) {
        softly
            .assertThat(spread.get(0).getWhenUnsatisfiable())
            .as("%s in prod: strictly over zones", service)
            .isEqualTo("DoNotSchedule");
      }
    }
    softly.assertAll();
  }

  private static void probe(SoftAssertions softly, String what, Probe probe, String path) {
    softly.assertThat(probe).as(what).isNotNull();
    if (probe != null) {
      softly.assertThat(probe.getHttpGet().getPath()).as(what).isEqualTo(path);
      softly.assertThat(probe.getHttpGet().getPort().getStrVal()).as(what).isEqualTo("http");
    }
  }

  /** The kind of volume mounted at /tmp in {@code container}, or null. */
  private static String tmpVolume(PodSpec pod, Container container) {
    return container.getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals("/tmp"))
        .findFirst()
        .flatMap(
            m -> pod.getVolumes().stream().filter(v -> v.getName().equals(m.getName())).findFirst())
        .map((Volume v) -> v.getEmptyDir() != null ? "emptyDir" : "other")
        .orElse(null);
  }

  private static List<Container> containers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getContainers());
    all.addAll(pod.getInitContainers());
    return all;
  }

  /** Every pod template, by owner ({@code Kind name}). */
  static Map<String, PodTemplateSpec> templates(Overlay overlay) {
    Map<String, PodTemplateSpec> templates = new LinkedHashMap<>();
    overlay
        .all("Deployment", Deployment.class)
        .forEach(
            d ->
                templates.put(
                    "Deployment " + d.getMetadata().getName(), d.getSpec().getTemplate()));
    overlay
        .all("Job", Job.class)
        .forEach(j -> templates.put("Job " + j.getMetadata().getName(), j.getSpec().getTemplate()));
    assertThat(
            Stream.of("DaemonSet", "StatefulSet", "CronJob", "Pod", "ReplicaSet")
                .flatMap(k -> overlay.ofKind(k).stream()))
        .as("pod owners the hardening check does not cover yet")
        .isEmpty();
    return templates;
  }
}

package dev.slipway.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.DeploymentSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentFactoryTest {

  private static final String IMAGE = "registry.example/shop@sha256:" + "a".repeat(64);

  @Test
  void stableDeploymentCarriesTheEnvironmentSettingsLabelsAndReleaseAnnotations() {
    DeploymentSettings settings =
        new DeploymentSettings(
            3,
            9090,
            new DeploymentSettings.Resources("100m", "128Mi", null, "256Mi"),
            "/healthz",
            Map.of("B", "2", "A", "1"),
            120,
            null,
            null);
    Workload workload =
        new Workload(
            "shop",
            "shop-prod",
            Workload.Track.STABLE,
            IMAGE,
            settings,
            3,
            Map.of("slipway.dev/revision", "7"));

    Deployment deployment = DeploymentFactory.create(workload);

    assertThat(deployment.getMetadata().getName()).isEqualTo("shop");
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo("shop-prod");
    assertThat(deployment.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "shop")
        .containsEntry("app.kubernetes.io/managed-by", "slipway")
        .containsEntry("slipway.dev/track", "stable");
    assertThat(deployment.getMetadata().getAnnotations())
        .containsEntry("slipway.dev/revision", "7");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.getSpec().getProgressDeadlineSeconds()).isEqualTo(120);
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .containsExactly(
            Map.entry("app.kubernetes.io/name", "shop"), Map.entry("slipway.dev/track", "stable"));
    assertThat(
            deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(IMAGE);
    assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(9090);
    assertThat(container.getEnv()).extracting(e -> e.getName()).containsExactly("A", "B");
    assertThat(container.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsOnlyKeys("memory");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9090);
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
  }

  @Test
  void canaryIsItsOwnDeploymentAndWithoutAHealthPathProbesTheTcpPort() {
    Workload workload =
        new Workload(
            "shop",
            "shop-prod",
            Workload.Track.CANARY,
            IMAGE,
            DeploymentSettings.DEFAULTS,
            1,
            Map.of());

    Deployment deployment = DeploymentFactory.create(workload);

    assertThat(deployment.getMetadata().getName()).isEqualTo("shop-canary");
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .containsEntry("slipway.dev/track", "canary");
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getReadinessProbe().getHttpGet()).isNull();
    assertThat(container.getReadinessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(8080);
  }

  @Test
  void applicationServiceSelectsBothTracksAndTrackServicesOneEach() {
    Service application = ServiceFactory.application("shop", "shop-prod", 8080);
    Service canary = ServiceFactory.track("shop", "shop-prod", 8080, Workload.Track.CANARY);

    assertThat(application.getSpec().getSelector())
        .containsExactly(Map.entry("app.kubernetes.io/name", "shop"));
    assertThat(canary.getMetadata().getName()).isEqualTo("shop-canary");
    assertThat(canary.getSpec().getSelector()).containsEntry("slipway.dev/track", "canary");
    assertThat(canary.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void podsAreRestrictedAndTakeTheirConfigurationByReference() {
    DeploymentSettings settings =
        new DeploymentSettings(
            1,
            8080,
            null,
            null,
            java.util.Map.of("LOG_LEVEL", "info"),
            60,
            null,
            null,
            null,
            null,
            null,
            null,
            10,
            new DeploymentSettings.PodOptions(
                java.util.List.of("shop-config"),
                java.util.List.of("shop-env"),
                java.util.Map.of(
                    "DB_PASSWORD", new DeploymentSettings.SecretKey("shop-db", "password")),
                java.util.List.of(
                    new DeploymentSettings.Volume("certs", "/etc/certs", null, "shop-tls")),
                "shop-runner",
                java.util.List.of("/bin/shop"),
                java.util.List.of("--serve"),
                java.util.List.of(new DeploymentSettings.NamedPort("metrics", 9090))));
    var deployment =
        DeploymentFactory.create(
            new Workload(
                "shop",
                "prod",
                Workload.Track.STABLE,
                "r/shop@sha256:" + "b".repeat(64),
                settings,
                1,
                java.util.Map.of()));

    var pod = deployment.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    org.assertj.core.api.Assertions.assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    org.assertj.core.api.Assertions.assertThat(
            pod.getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    org.assertj.core.api.Assertions.assertThat(
            container.getSecurityContext().getAllowPrivilegeEscalation())
        .isFalse();
    org.assertj.core.api.Assertions.assertThat(
            container.getSecurityContext().getCapabilities().getDrop())
        .containsExactly("ALL");
    org.assertj.core.api.Assertions.assertThat(pod.getServiceAccountName())
        .isEqualTo("shop-runner");
    org.assertj.core.api.Assertions.assertThat(container.getCommand()).containsExactly("/bin/shop");
    org.assertj.core.api.Assertions.assertThat(container.getArgs()).containsExactly("--serve");
    org.assertj.core.api.Assertions.assertThat(container.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8080", "metrics:9090");
    org.assertj.core.api.Assertions.assertThat(container.getEnv())
        .extracting(
            e ->
                e.getName()
                    + "="
                    + (e.getValueFrom() == null
                        ? e.getValue()
                        : e.getValueFrom().getSecretKeyRef().getName()
                            + "/"
                            + e.getValueFrom().getSecretKeyRef().getKey()))
        .containsExactly("LOG_LEVEL=info", "DB_PASSWORD=shop-db/password");
    org.assertj.core.api.Assertions.assertThat(container.getEnvFrom())
        .extracting(
            e ->
                e.getConfigMapRef() != null
                    ? "cm:" + e.getConfigMapRef().getName()
                    : "secret:" + e.getSecretRef().getName())
        .containsExactly("cm:shop-config", "secret:shop-env");
    org.assertj.core.api.Assertions.assertThat(pod.getVolumes().get(0).getSecret().getSecretName())
        .isEqualTo("shop-tls");
    org.assertj.core.api.Assertions.assertThat(container.getVolumeMounts().get(0).getMountPath())
        .isEqualTo("/etc/certs");
    org.assertj.core.api.Assertions.assertThat(deployment.getSpec().getMinReadySeconds())
        .isEqualTo(10);
  }
}

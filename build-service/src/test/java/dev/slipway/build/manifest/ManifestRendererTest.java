package dev.slipway.build.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.build.spec.BuildSpec;
import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EnvironmentSpec.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestRendererTest {

  private static final String PINNED = "registry:5000/shop@sha256:" + "a".repeat(64);
  private static final EnvironmentSpec DEV = env("dev", "shop-dev", false);
  private static final EnvironmentSpec PROD = env("prod", "shop-prod", false);

  @TempDir Path workspace;

  private final ManifestRenderer renderer = new ManifestRenderer();

  @Test
  void aDirectoryIsRenderedPerEnvironmentWithItsOverlayPinnedAndNamespaced() throws IOException {
    write(
        "deploy/app.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shop-config
        data:
          banner: hello
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: shop
        spec:
          template:
            spec:
              initContainers:
                - name: migrate
                  image: shop
              containers:
                - name: web
                  image: registry:5000/shop:latest
                - name: proxy
                  image: envoyproxy/envoy:v1.31
        """);
    write(
        "deploy/prod/config.yaml",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shop-config
        data:
          banner: production
        """);

    Map<String, String> rendered =
        renderer.render(
            workspace,
            new BuildSpec.Deploy("deploy", Map.of("prod", "deploy/prod")),
            List.of(DEV, PROD),
            "shop",
            PINNED);

    assertThat(rendered).containsOnlyKeys("dev", "prod");
    assertThat(rendered.get("dev"))
        .contains("namespace: shop-dev")
        .contains("banner: hello")
        .contains("image: " + PINNED)
        .contains("image: envoyproxy/envoy:v1.31")
        .doesNotContain("registry:5000/shop:latest")
        .doesNotContain("image: shop\n");
    assertThat(rendered.get("prod"))
        .contains("namespace: shop-prod")
        .contains("banner: production");
    assertThat(rendered.get("prod").split("banner:", -1)).hasSize(2);
  }

  @Test
  void anObjectOfAnotherNamespaceOrAClusterScopedOneIsRefused() throws IOException {
    write(
        "deploy/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-system\n");
    assertThatThrownBy(
            () ->
                renderer.render(
                    workspace,
                    new BuildSpec.Deploy("deploy", Map.of()),
                    List.of(DEV),
                    "shop",
                    PINNED))
        .hasMessage(
            "ConfigMap x names namespace kube-system; environment dev deploys only into shop-dev");

    write(
        "deploy/a.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: admin-all\n");
    assertThatThrownBy(
            () ->
                renderer.render(
                    workspace,
                    new BuildSpec.Deploy("deploy", Map.of()),
                    List.of(DEV),
                    "shop",
                    PINNED))
        .hasMessageContaining("ClusterRole admin-all is cluster-scoped");
    assertThat(
            renderer.render(
                workspace,
                new BuildSpec.Deploy("deploy", Map.of()),
                List.of(env("ops", "ops", true)),
                "shop",
                PINNED))
        .containsKey("ops");
  }

  @Test
  void aPathThatLinksOutsideTheWorkspaceIsRefused(@TempDir Path elsewhere) throws IOException {
    Files.writeString(
        elsewhere.resolve("secret.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    Files.createSymbolicLink(workspace.resolve("deploy"), elsewhere);

    assertThatThrownBy(
            () ->
                renderer.render(
                    workspace,
                    new BuildSpec.Deploy("deploy", Map.of()),
                    List.of(DEV),
                    "shop",
                    PINNED))
        .hasMessage("deploy.manifests: deploy is a link that leads outside the workspace; refused");
  }

  @Test
  void aHelmChartRendersInProcessWithEachEnvironmentsValues() throws IOException {
    write("chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 0.1.0\n");
    write("chart/values.yaml", "replicas: 1\nimage: shop:dev\n");
    write("chart/values-prod.yaml", "replicas: 4\n");
    write(
        "chart/templates/deployment.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
        spec:
          replicas: {{ .Values.replicas }}
          selector:
            matchLabels:
              app: {{ .Release.Name }}
          template:
            metadata:
              labels:
                app: {{ .Release.Name }}
            spec:
              containers:
                - name: web
                  image: {{ .Values.image }}
        """);

    Map<String, String> rendered =
        renderer.render(
            workspace,
            new BuildSpec.Deploy("chart", Map.of("prod", "chart/values-prod.yaml")),
            List.of(DEV, PROD),
            "shop",
            PINNED);

    assertThat(rendered.get("dev"))
        .contains("replicas: 1")
        .contains("namespace: shop-dev")
        .contains("image: " + PINNED);
    assertThat(rendered.get("prod")).contains("replicas: 4").contains("namespace: shop-prod");
  }

  private void write(String path, String content) throws IOException {
    Path file = workspace.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private static EnvironmentSpec env(String name, String namespace, boolean clusterResources) {
    return new EnvironmentSpec(
        name,
        "local",
        namespace,
        Promotion.AUTO,
        0,
        Strategy.ROLLING,
        List.of(),
        new DeploymentSettings(
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            clusterResources,
            null,
            null,
            null));
  }
}

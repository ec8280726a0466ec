package dev.slipway.sandbox;

import static dev.slipway.sandbox.Deployments.deployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SandboxMainTest {

  @Test
  void standaloneSandboxWritesAKubeconfigThatAClientDeploysThrough() throws Exception {
    Path kubeconfig = Path.of("target", "sandbox-" + UUID.randomUUID(), "kubeconfig");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SandboxMain.class.getName(),
                "--port",
                "0",
                "--kubeconfig-out",
                kubeconfig.toString(),
                "--ready-after-ms",
                "0")
            .redirectErrorStream(true)
            .start();
    try {
      List<String> printed = new ArrayList<>();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        printed.add(line);
        if (line.equals("ready")) {
          break;
        }
      }
      assertThat(printed).last().isEqualTo("ready");
      assertThat(printed.get(0))
          .matches("sandbox Kubernetes API listening on http://127.0.0.1:\\d+");
      assertThat(Files.readString(kubeconfig)).contains("server: http://127.0.0.1:");

      try (KubernetesClient client =
          new KubernetesClientBuilder()
              .withConfig(Config.fromKubeconfig(kubeconfig.toFile()))
              .build()) {
        client
            .namespaces()
            .resource(
                new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                    .withNewMetadata()
                    .withName("demo")
                    .endMetadata()
                    .build())
            .create();
        client
            .resource(deployment("demo", "web", "nowhere.invalid/web@sha256:1", 2))
            .fieldManager("slipway")
            .serverSideApply();
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () -> {
                  var status =
                      client
                          .apps()
                          .deployments()
                          .inNamespace("demo")
                          .withName("web")
                          .get()
                          .getStatus();
                  assertThat(status).isNotNull();
                  assertThat(status.getAvailableReplicas()).isEqualTo(2);
                });
      }
    } finally {
      process.destroy();
      process.waitFor();
    }
  }
}

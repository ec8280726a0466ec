package dev.slipway.build.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.build.BuildConfigs;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.log.SecretMasker;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.workspace.BuildWorkspace;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kubernetes executor against fabric8's mock API server (CRUD mode). The mock runs no
 * controllers, so a small simulator here plays kubelet and Job controller: it gives each build Job
 * a pod, moves its containers' states as a scenario says, and serves their logs.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesExecutorTest {

  // Instance fields: the extension gives each test its own server and client, so no state (CRUD
  // objects, log expectations, a simulator's requests) carries over from one test to the next.
  KubernetesClient client;
  KubernetesMockServer server;

  private static final String NAMESPACE = "slipway-builds";
  private final List<Job> jobsSeen = new CopyOnWriteArrayList<>();
  private Thread simulator;
  private volatile boolean simulating;

  /**
   * The executor's own client, without fabric8's retries of failed requests, so that an API outage
   * reaches the executor at once instead of after the client's backoff.
   */
  private KubernetesClient executorClient;

  @BeforeEach
  void executorClient() {
    executorClient =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
  }

  @AfterEach
  void stopSimulator() throws InterruptedException {
    executorClient.close();
    simulating = false;
    if (simulator != null) {
      simulator.join(5_000);
    }
    client.batch().v1().jobs().inNamespace(NAMESPACE).delete();
    client.pods().inNamespace(NAMESPACE).delete();
  }

  @Test
  void stepsRunAsAJobWhosePodLogsAreFollowedAndEverythingIsCleanedUp() {
    simulate(job -> List.of(terminated("step-0", 0, null), terminated("step-1", 0, null)), null);
    List<String> lines = new ArrayList<>();

    BuildLog log = log(lines);
    StepsResult result =
        executor()
            .run(request(Map.of("NPM_TOKEN", "tok-123456")), log, noListener(), new Cancellation());
    log.flush();

    assertThat(result.outcome()).isEqualTo(StepsResult.Outcome.SUCCEEDED);
    assertThat(lines).contains("output of step-0", "output of step-1");
    Job job = jobsSeen.get(0);
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).extracting("name").containsExactly("step-0");
    assertThat(pod.getContainers()).extracting("name").containsExactly("step-1");
    assertThat(pod.getContainers().get(0).getCommand())
        .containsExactly("/bin/sh", "-c", "npm test");
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo("node:20");
    assertThat(pod.getServiceAccountName()).isEqualTo("builder");
    assertThat(pod.getNodeSelector()).containsEntry("pool", "builds");
    assertThat(pod.getContainers().get(0).getResources().getLimits().get("memory").toString())
        .isEqualTo("2Gi");
    assertThat(pod.getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
        .isEqualTo("build-workspaces");
    assertThat(pod.getContainers().get(0).getVolumeMounts().get(0).getSubPath())
        .isEqualTo("b1/src");
    // The secret travels by reference, never in the Job spec.
    assertThat(job.toString()).doesNotContain("tok-123456");
    assertThat(pod.getContainers().get(0).getEnv())
        .filteredOn(e -> e.getName().equals("NPM_TOKEN"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isEqualTo(job.getMetadata().getName());
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("NPM_TOKEN");
            });
    assertThat(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void buildPodIsRestrictedAndKubernetesExpansionNeverReachesAStep() {
    simulate(job -> List.of(terminated("step-0", 0, null), terminated("step-1", 0, null)), null);
    StepsRequest hostile =
        new StepsRequest(
            "b1",
            "shop",
            new BuildWorkspace(Path.of("/workspace/b1")),
            "",
            "node:20",
            List.of(
                new BuildSpec.Step("install", "echo '$(HOME)' $(id -u) $$", ".", Map.of(), null),
                new BuildSpec.Step("test", "npm test", ".", Map.of("NOTE", "$(HOME)"), null)),
            Map.of("SLIPWAY_REF", "refs/heads/a;curl${IFS}x|sh$(HOME)"),
            Map.of(),
            Instant.now().plusSeconds(30),
            Map.of());

    executor().run(hostile, log(new ArrayList<>()), noListener(), new Cancellation());

    var pod = jobsSeen.get(0).getSpec().getTemplate().getSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getEnableServiceLinks()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    List<io.fabric8.kubernetes.api.model.Container> steps =
        new ArrayList<>(pod.getInitContainers());
    steps.addAll(pod.getContainers());
    assertThat(steps)
        .allSatisfy(
            c -> {
              var context = c.getSecurityContext();
              assertThat(context.getRunAsNonRoot()).isTrue();
              assertThat(context.getRunAsUser()).isNotZero();
              assertThat(context.getAllowPrivilegeEscalation()).isFalse();
              assertThat(context.getPrivileged()).isFalse();
              assertThat(context.getReadOnlyRootFilesystem()).isTrue();
              assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
              assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
              assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            });
    // Every $ doubled: Kubernetes turns $$ back into $ and expands no $(NAME).
    assertThat(steps.get(0).getCommand())
        .containsExactly("/bin/sh", "-c", "echo '$$(HOME)' $$(id -u) $$$$");
    assertThat(steps.get(0).getEnv())
        .filteredOn(e -> e.getName().equals("SLIPWAY_REF"))
        .singleElement()
        .extracting(e -> e.getValue())
        .isEqualTo("refs/heads/a;curl$${IFS}x|sh$$(HOME)");
    assertThat(steps.get(1).getEnv())
        .filteredOn(e -> e.getName().equals("NOTE"))
        .singleElement()
        .extracting(e -> e.getValue())
        .isEqualTo("$$(HOME)");
    assertThat(
            KubernetesExpansion.expand(
                steps.get(0).getCommand().get(2), Map.of("HOME", "/home/slipway")))
        .isEqualTo("echo '$(HOME)' $(id -u) $$");
  }

  @Test
  void imageJobIsBaselineBuildahReadingTheCheckoutAndTheRegistryAuthAsAFile() {
    BuildConfig config =
        BuildConfigs.of(
            Map.of(
                "slipway.build.workspace-dir", "/workspace/builds",
                "slipway.build.kubernetes.namespace", NAMESPACE,
                "slipway.build.kubernetes.workspace-claim", "build-workspaces",
                "slipway.build.registry.address", "registry.example.com",
                "slipway.build.registry.username", "pusher",
                "slipway.build.registry.password", "registry-pass-123"));
    BuildJobFactory factory = new BuildJobFactory(config);
    ImageBuildRequest request =
        new ImageBuildRequest(
            "b1",
            "shop",
            new BuildWorkspace(Path.of("/workspace/builds/b1")),
            "docker/$(HOME)/Dockerfile",
            ".",
            "registry.example.com/shop:abc1234",
            Instant.now().plusSeconds(60));

    Job job = factory.imageJob(request, "builds/b1/src", "builds/b1/out", 60);
    var secret = factory.registrySecret(request).orElseThrow();

    var pod = job.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(container.getImage()).isEqualTo("slipway/buildah:bookworm");
    assertThat(container.getSecurityContext().getPrivileged()).isNull();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    // Only capabilities Pod Security "baseline" allows.
    assertThat(container.getSecurityContext().getCapabilities().getAdd())
        .isSubsetOf(
            "AUDIT_WRITE",
            "CHOWN",
            "DAC_OVERRIDE",
            "FOWNER",
            "FSETID",
            "KILL",
            "MKNOD",
            "NET_BIND_SERVICE",
            "SETFCAP",
            "SETGID",
            "SETPCAP",
            "SETUID",
            "SYS_CHROOT");
    assertThat(container.getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    assertThat(container.getVolumeMounts())
        .filteredOn(m -> m.getMountPath().equals("/workspace"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(job.toString()).doesNotContain("registry-pass-123");
    assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals("DOCKERFILE"))
        .singleElement()
        .extracting(e -> e.getValue())
        .isEqualTo("/workspace/docker/$$(HOME)/Dockerfile");
  }

  @Test
  void failingStepContainerFailsTheBuildWithItsExitCode() {
    simulate(job -> List.of(terminated("step-0", 2, "Error")), null);

    StepsResult result = run(request(Map.of()), new ArrayList<>());

    assertThat(result.outcome()).isEqualTo(StepsResult.Outcome.FAILED);
    assertThat(result.step()).isEqualTo("install");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.reason()).isEqualTo("exit code 2");
  }

  @Test
  void briefApiOutageWhileFollowingIsRiddenOut() {
    simulate(job -> List.of(terminated("step-0", 0, null), terminated("step-1", 0, null)), null);
    server
        .expect()
        .get()
        .withPath("/apis/batch/v1/namespaces/" + NAMESPACE + "/jobs/slipway-build-b1")
        .andReturn(503, "the API server is restarting")
        .times(3);

    StepsResult result = run(request(Map.of()), new ArrayList<>());

    assertThat(result.outcome()).isEqualTo(StepsResult.Outcome.SUCCEEDED);
  }

  @Test
  void apiOutageLongerThanTheToleranceFailsTheBuildWithTheReason() {
    simulate(job -> List.of(running("step-0")), null);
    server
        .expect()
        .get()
        .withPath("/apis/batch/v1/namespaces/" + NAMESPACE + "/jobs/slipway-build-b1")
        .andReturn(503, "the API server is restarting")
        .always();

    StepsResult result = run(request(Map.of()), new ArrayList<>());

    assertThat(result.outcome()).isEqualTo(StepsResult.Outcome.FAILED);
    assertThat(result.step()).isEqualTo("install");
    assertThat(result.reason()).startsWith("lost the Kubernetes API while following the build Job");
  }

  @Test
  void evictedPodFailsTheBuildWithTheReason() {
    simulate(
        job -> List.of(running("step-0")),
        pod ->
            pod.getStatus().toBuilder()
                .withPhase("Failed")
                .withReason("Evicted")
                .withMessage("The node was low on resource: memory.")
                .build());

    StepsResult result = run(request(Map.of()), new ArrayList<>());

    assertThat(result.outcome()).isEqualTo(StepsResult.Outcome.FAILED);
    assertThat(result.reason())
        .contains("Evicted")
        .contains("The node was low on resource: memory.");
    assertThat(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void jobKilledFromOutsideFailsTheBuild() {
    simulate(job -> List.of(running("step-0")), null);
    new Thread(
            () -> {
              await().atMost(Duration.ofSeconds(10)).until(() -> !jobsSeen.isEmpty());
              client.batch().v1().jobs().inNamespace(NAMESPACE).delete();
            })
        .start();

    StepsResult result = run(request(Map.of()), new ArrayList<>());

    assertThat(result.outcome()).isEqualTo(StepsResult.Outcome.FAILED);
    assertThat(result.reason()).isEqualTo("the build Job was deleted before it ended");
  }

  @Test
  void cancelDeletesTheJob() {
    simulate(job -> List.of(running("step-0")), null);
    Cancellation cancellation = new Cancellation();
    new Thread(
            () -> {
              await().atMost(Duration.ofSeconds(10)).until(() -> !jobsSeen.isEmpty());
              cancellation.cancel("dora");
            })
        .start();

    StepsResult result =
        executor().run(request(Map.of()), log(new ArrayList<>()), noListener(), cancellation);

    assertThat(result.outcome()).isEqualTo(StepsResult.Outcome.CANCELLED);
    assertThat(result.reason()).isEqualTo("cancelled by dora");
    assertThat(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()).isEmpty();
  }

  private StepsResult run(StepsRequest request, List<String> lines) {
    return executor().run(request, log(lines), noListener(), new Cancellation());
  }

  private KubernetesExecutor executor() {
    return new KubernetesExecutor(executorClient, config(), Path.of("/workspace/builds"));
  }

  private static StepsRequest request(Map<String, String> secrets) {
    return new StepsRequest(
        "b1",
        "shop",
        new BuildWorkspace(Path.of("/workspace/b1")),
        "",
        "node:20",
        List.of(
            new BuildSpec.Step("install", "npm ci", ".", Map.of(), null),
            new BuildSpec.Step("test", "npm test", ".", Map.of(), null)),
        Map.of("CI", "true", "HOME", "/host/home"),
        secrets,
        Instant.now().plusSeconds(30),
        Map.of());
  }

  private static BuildLog log(List<String> lines) {
    return new BuildLog(SecretMasker.of(List.of()), 1, (seq, batch) -> lines.addAll(batch));
  }

  private static StepListener noListener() {
    return new StepListener() {
      @Override
      public void started(int position, String name) {}

      @Override
      public void finished(
          int position, String name, StepStatus status, Integer exitCode, long durationMs) {}
    };
  }

  /**
   * Plays kubelet: each new Job gets a pod whose container states are {@code states(job)}, then
   * {@code podChange} (if any) applied to its status; each container's log is served.
   */
  private void simulate(
      Function<Job, List<ContainerStatus>> states,
      Function<Pod, io.fabric8.kubernetes.api.model.PodStatus> podChange) {
    simulating = true;
    simulator =
        new Thread(
            () -> {
              while (simulating) {
                for (Job job :
                    client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()) {
                  String name = job.getMetadata().getName();
                  if (jobsSeen.stream().anyMatch(j -> j.getMetadata().getName().equals(name))) {
                    continue;
                  }
                  jobsSeen.add(job);
                  String podName = name + "-abcde";
                  for (int i = 0; i < 2; i++) {
                    server
                        .expect()
                        .get()
                        .withPath(
                            "/api/v1/namespaces/"
                                + NAMESPACE
                                + "/pods/"
                                + podName
                                + "/log?pretty=false&container=step-"
                                + i
                                + "&follow=true")
                        .andReturn(200, "output of step-" + i + "\n")
                        .always();
                  }
                  List<ContainerStatus> all = states.apply(job);
                  Pod pod =
                      new PodBuilder()
                          .withNewMetadata()
                          .withName(podName)
                          .withNamespace(NAMESPACE)
                          .addToLabels("job-name", name)
                          .addToLabels(job.getMetadata().getLabels())
                          .endMetadata()
                          .withNewStatus()
                          .withPhase("Running")
                          .withInitContainerStatuses(
                              all.stream().filter(s -> s.getName().equals("step-0")).toList())
                          .withContainerStatuses(
                              all.stream().filter(s -> !s.getName().equals("step-0")).toList())
                          .endStatus()
                          .build();
                  if (podChange != null) {
                    pod.setStatus(podChange.apply(pod));
                  }
                  client.pods().inNamespace(NAMESPACE).resource(pod).create();
                }
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    simulator.setDaemon(true);
    simulator.start();
  }

  private static ContainerStatus terminated(String name, int exitCode, String reason) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withReason(reason)
        .endTerminated()
        .endState()
        .build();
  }

  private static ContainerStatus running(String name) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewRunning()
        .endRunning()
        .endState()
        .build();
  }

  private static BuildConfig config() {
    return BuildConfigs.of(
        Map.ofEntries(
            Map.entry("slipway.build.workspace-dir", "/workspace/builds"),
            Map.entry("slipway.build.executor", "kubernetes"),
            Map.entry("slipway.build.kubernetes.namespace", NAMESPACE),
            Map.entry("slipway.build.kubernetes.service-account", "builder"),
            Map.entry("slipway.build.kubernetes.node-selector.pool", "builds"),
            Map.entry("slipway.build.kubernetes.workspace-claim", "build-workspaces"),
            Map.entry("slipway.build.kubernetes.workspace-mount-path", "/workspace"),
            Map.entry("slipway.build.kubernetes.memory-limit", "2Gi"),
            Map.entry("slipway.build.kubernetes.poll-interval", "50ms"),
            Map.entry("slipway.build.kubernetes.start-timeout", "10s"),
            Map.entry("slipway.build.kubernetes.api-outage-tolerance", "2s")));
  }
}

package dev.slipway.build.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.BuildConfigs;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.container.Podman;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.log.SecretMasker;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.workspace.BuildWorkspace;
import dev.slipway.build.workspace.Workspaces;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same step, with a hostile ref, prints the same on the local executor (podman) and on the
 * Kubernetes executor. Kubernetes expands {@code $(NAME)} in a container's command and variables
 * before the step sees them; here the kubelet is played by {@link KubernetesExpansion} (a port of
 * Kubernetes' own expansion) and podman, on the Job the Kubernetes executor created in fabric8's
 * mock API server. Without the executor's escaping, {@code $(HOME)} would reach the step as the
 * home folder and a ref named {@code $(HOME)} as a path.
 */
@EnableKubernetesMockClient(crud = true)
class ExecutorParityIT {

  KubernetesClient client;
  KubernetesMockServer server;

  private static final String NAMESPACE = "slipway-builds";
  private static final String RUN =
      "echo \"ref: $SLIPWAY_REF\"; echo '$(HOME)'; echo \"home: $HOME\"; echo \"note: $NOTE\"";

  @ParameterizedTest
  @ValueSource(strings = {"refs/heads/a;curl${IFS}x|sh", "refs/heads/$(HOME)"})
  void aStepPrintsTheSameLocallyAndOnKubernetes(String ref) throws Exception {
    List<String> local = runLocally(ref);
    List<String> kubernetes = runOnKubernetes(ref);

    System.out.println("local:      " + local + "\nkubernetes: " + kubernetes);
    assertThat(local)
        .containsExactly(
            "ref: " + ref,
            "$(HOME)",
            "home: " + StepEnvironment.HOME,
            "note: $(SLIPWAY_REF) as text");
    assertThat(kubernetes).isEqualTo(local);
  }

  private static StepsRequest request(BuildWorkspace workspace, String ref) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", StepEnvironment.PATH);
    env.put("HOME", StepEnvironment.HOME);
    env.put("TMPDIR", StepEnvironment.TMP);
    env.put("SLIPWAY_REF", ref);
    env.put("NOTE", "$(SLIPWAY_REF) as text");
    return new StepsRequest(
        "parity1",
        "shop",
        workspace,
        "",
        "slipway/toolchain:bookworm",
        List.of(new BuildSpec.Step("show", RUN, ".", Map.of(), null)),
        env,
        Map.of(),
        Instant.now().plusSeconds(60),
        Map.of());
  }

  private static List<String> runLocally(String ref) throws Exception {
    BuildConfig config =
        BuildConfigs.of(Map.of("slipway.build.workspace-dir", "target/parity-workspaces"));
    Workspaces workspaces = new Workspaces(config);
    BuildWorkspace workspace = workspaces.create("parity-" + System.nanoTime());
    try {
      List<String> lines = new ArrayList<>();
      BuildLog log = log(lines);
      StepsResult result =
          new ContainerExecutor(config, new Podman("podman", "auto"))
              .run(request(workspace, ref), log, noListener(), new Cancellation());
      log.flush();
      assertThat(result.outcome())
          .as("%s", result.reason())
          .isEqualTo(StepsResult.Outcome.SUCCEEDED);
      return output(lines);
    } finally {
      workspaces.delete(workspace);
    }
  }

  private List<String> runOnKubernetes(String ref) throws Exception {
    BuildConfig config =
        BuildConfigs.of(
            Map.of(
                "slipway.build.workspace-dir", "/workspace/builds",
                "slipway.build.executor", "kubernetes",
                "slipway.build.kubernetes.namespace", NAMESPACE,
                "slipway.build.kubernetes.workspace-claim", "build-workspaces",
                "slipway.build.kubernetes.poll-interval", "50ms"));
    List<Job> seen = new CopyOnWriteArrayList<>();
    Thread kubelet =
        new Thread(
            () -> {
              while (seen.isEmpty()) {
                for (Job job :
                    client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems()) {
                  seen.add(job);
                  try {
                    play(job);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    kubelet.setDaemon(true);
    kubelet.start();
    List<String> lines = new ArrayList<>();
    BuildLog log = log(lines);
    StepsResult result =
        new KubernetesExecutor(client, config, Path.of("/workspace/builds"))
            .run(
                request(new BuildWorkspace(Path.of("/workspace/builds/parity1")), ref),
                log,
                noListener(),
                new Cancellation());
    log.flush();
    kubelet.join(5000);
    assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(StepsResult.Outcome.SUCCEEDED);
    return output(lines);
  }

  /**
   * Plays the kubelet for the Job's one container: expands its variables and command the way
   * Kubernetes does, runs it in the toolchain image, serves its output as the container's log and
   * reports its exit code.
   */
  private void play(Job job) throws Exception {
    Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<Map.Entry<String, String>> env = new ArrayList<>();
    for (EnvVar var : container.getEnv()) {
      env.add(new AbstractMap.SimpleEntry<>(var.getName(), var.getValue()));
    }
    Map<String, String> expanded = KubernetesExpansion.environment(env);
    List<String> argv =
        new ArrayList<>(
            List.of(
                "podman",
                "--runtime",
                new Podman("podman", "auto").runtime(),
                "run",
                "--rm",
                "--network",
                "none",
                "--user",
                "1000:1000"));
    argv.addAll(List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"));
    // The workspace claim and the home emptyDir of the pod.
    argv.addAll(List.of("--tmpfs", StepEnvironment.WORKSPACE + ":mode=1777"));
    argv.addAll(List.of("--tmpfs", StepEnvironment.HOME + ":mode=1777"));
    argv.addAll(List.of("--workdir", container.getWorkingDir()));
    expanded.forEach((name, value) -> argv.addAll(List.of("--env", name + "=" + value)));
    argv.add(container.getImage());
    container.getCommand().forEach(arg -> argv.add(KubernetesExpansion.expand(arg, expanded)));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(60, TimeUnit.SECONDS);
    String pod = job.getMetadata().getName() + "-kubelet";
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + NAMESPACE
                + "/pods/"
                + pod
                + "/log?pretty=false&container="
                + container.getName()
                + "&follow=true")
        .andReturn(200, output)
        .always();
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(NAMESPACE)
                .addToLabels("job-name", job.getMetadata().getName())
                .endMetadata()
                .withNewStatus()
                .withPhase("Running")
                .withContainerStatuses(
                    new ContainerStatusBuilder()
                        .withName(container.getName())
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(process.exitValue())
                        .endTerminated()
                        .endState()
                        .build())
                .endStatus()
                .build())
        .create();
  }

  /** What the step printed: the log without the service's own lines. */
  private static List<String> output(List<String> lines) {
    return lines.stream().filter(l -> !l.startsWith("==> ")).toList();
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
}

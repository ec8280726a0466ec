package dev.slipway.sandbox;

import static dev.slipway.sandbox.Deployments.deployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RolloutSimulatorTest {

  private static final String NS = "shop";
  private static final String V1 = "r.example/web@sha256:1111";
  private static final String V2 = "r.example/web@sha256:2222";

  private final ProgrammableBehaviourPolicy policy = new ProgrammableBehaviourPolicy();
  private SandboxServer sandbox;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    sandbox =
        SandboxServer.start(
            0,
            policy,
            new RolloutSimulator.Settings(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(50), 2));
    client = sandbox.client();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void availableImageBecomesAvailableWithOneReplicaSetAndItsPods() {
    apply(deployment(NS, "web", V1, 3));

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Deployment web = get("web");
              assertThat(web.getStatus().getObservedGeneration()).isEqualTo(1L);
              assertThat(web.getStatus().getUpdatedReplicas()).isEqualTo(3);
              assertThat(web.getStatus().getReadyReplicas()).isEqualTo(3);
              assertThat(web.getStatus().getAvailableReplicas()).isEqualTo(3);
              assertThat(condition(web, "Progressing").getReason())
                  .isEqualTo("NewReplicaSetAvailable");
              assertThat(condition(web, "Available").getStatus()).isEqualTo("True");
            });
    List<ReplicaSet> sets = client.apps().replicaSets().inNamespace(NS).list().getItems();
    assertThat(sets).hasSize(1);
    assertThat(sets.get(0).getMetadata().getLabels()).containsKey(RolloutSimulator.TEMPLATE_HASH);
    assertThat(pods()).hasSize(3).allSatisfy(pod -> assertThat(image(pod)).isEqualTo(V1));
  }

  @Test
  void newTemplateReplacesTheOldPodsOnceTheNewOnesAreReady() {
    apply(deployment(NS, "web", V1, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> complete(get("web")));

    apply(deployment(NS, "web", V2, 2));

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Deployment web = get("web");
              assertThat(web.getStatus().getObservedGeneration()).isEqualTo(2L);
              assertThat(complete(web)).isTrue();
              assertThat(pods()).hasSize(2).allSatisfy(pod -> assertThat(image(pod)).isEqualTo(V2));
            });
    assertThat(client.apps().replicaSets().inNamespace(NS).list().getItems())
        .extracting(rs -> rs.getSpec().getReplicas())
        .containsExactlyInAnyOrder(0, 2);
  }

  @Test
  void scalingChangesThePodCount() {
    apply(deployment(NS, "web", V1, 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> complete(get("web")));

    apply(deployment(NS, "web", V1, 4));

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(get("web").getStatus().getReadyReplicas()).isEqualTo(4);
              assertThat(pods()).hasSize(4);
            });
  }

  @Test
  void neverReadyImageStallsUntilTheProgressDeadlineAndKeepsTheOldPods() {
    apply(deployment(NS, "web", V1, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> complete(get("web")));
    policy.forDigest("sha256:2222", Behaviour.NEVER_READY);
    Deployment v2 = deployment(NS, "web", V2, 2);
    v2.getSpec().setProgressDeadlineSeconds(1);

    apply(v2);

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              DeploymentCondition progressing = condition(get("web"), "Progressing");
              assertThat(progressing.getStatus()).isEqualTo("False");
              assertThat(progressing.getReason()).isEqualTo("ProgressDeadlineExceeded");
            });
    Deployment web = get("web");
    assertThat(web.getStatus().getUpdatedReplicas()).isEqualTo(2);
    assertThat(web.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(pods()).extracting(RolloutSimulatorTest::image).containsOnly(V1, V2).hasSize(4);
  }

  @Test
  void crashLoopingContainerRestartsAgainAndAgain() {
    policy.forDeployment("web", Behaviour.CRASH_LOOP);

    apply(deployment(NS, "web", V1, 1));

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ContainerStatus container = containerStatus(pods().get(0));
              assertThat(container.getState().getWaiting().getReason())
                  .isEqualTo("CrashLoopBackOff");
              assertThat(container.getRestartCount()).isGreaterThanOrEqualTo(3);
              assertThat(container.getReady()).isFalse();
            });
    assertThat(get("web").getStatus().getReadyReplicas()).isZero();
    assertThat(warnings()).contains("BackOff");
  }

  @Test
  void imageThatCannotBePulledBacksOff() {
    policy.forDigest("sha256:1111", Behaviour.IMAGE_PULL_ERROR);

    apply(deployment(NS, "web", V1, 1));

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Pod pod = pods().get(0);
              assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
              assertThat(containerStatus(pod).getState().getWaiting().getReason())
                  .isEqualTo("ImagePullBackOff");
            });
    assertThat(warnings()).contains("Failed");
  }

  @Test
  void deletingTheDeploymentRemovesItsReplicaSetsAndPods() {
    apply(deployment(NS, "web", V1, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> complete(get("web")));

    client.apps().deployments().inNamespace(NS).withName("web").delete();

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(pods()).isEmpty();
              assertThat(client.apps().replicaSets().inNamespace(NS).list().getItems()).isEmpty();
            });
  }

  private void apply(Deployment deployment) {
    client.resource(deployment).fieldManager("slipway").forceConflicts().serverSideApply();
  }

  private Deployment get(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private List<Pod> pods() {
    return client.pods().inNamespace(NS).list().getItems();
  }

  private List<String> warnings() {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "Warning".equals(e.getType()))
        .map(e -> e.getReason())
        .toList();
  }

  private static boolean complete(Deployment deployment) {
    return deployment != null
        && deployment.getStatus() != null
        && "NewReplicaSetAvailable".equals(condition(deployment, "Progressing").getReason());
  }

  private static DeploymentCondition condition(Deployment deployment, String type) {
    return deployment.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  private static ContainerStatus containerStatus(Pod pod) {
    return pod.getStatus().getContainerStatuses().get(0);
  }

  private static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }
}

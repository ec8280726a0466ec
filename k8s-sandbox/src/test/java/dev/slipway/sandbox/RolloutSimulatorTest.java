package dev.slipway.sandbox;

import static dev.slipway.sandbox.Deployments.deployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
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
    sandbox.createNamespace(NS);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void availableImageBecomesAvailableWithOneReplicaSetAndItsPods() {
    apply(deployment(NS, "web", V1, 3));

    await()
        .ignoreExceptions()
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
        .ignoreExceptions()
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
        .ignoreExceptions()
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
        .ignoreExceptions()
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
        .ignoreExceptions()
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
        .ignoreExceptions()
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
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(pods()).isEmpty();
              assertThat(client.apps().replicaSets().inNamespace(NS).list().getItems()).isEmpty();
            });
  }

  @Test
  void podsThatCannotBeCreatedShowAsReplicaFailure() {
    policy.forDeployment("quota", Behaviour.FAILED_CREATE);
    apply(deployment(NS, "quota", V1, 2));

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              DeploymentCondition failure = condition(get("quota"), "ReplicaFailure");
              assertThat(failure.getStatus()).isEqualTo("True");
              assertThat(failure.getReason()).isEqualTo("FailedCreate");
              assertThat(failure.getMessage()).contains("exceeded quota");
              assertThat(warnings()).contains("FailedCreate");
            });
    assertThat(pods()).isEmpty();
  }

  @Test
  void minReadySecondsDelaysAvailability() {
    Deployment web = deployment(NS, "slow", V1, 1);
    web.getSpec().setMinReadySeconds(1);
    apply(web);

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(get("slow").getStatus().getReadyReplicas()).isEqualTo(1));
    assertThat(get("slow").getStatus().getAvailableReplicas()).isZero();
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(get("slow").getStatus().getAvailableReplicas()).isEqualTo(1));
  }

  @Test
  void statefulSetPodsComeUpInOrder() {
    client
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withServiceName("db")
                .withNewSelector()
                .addToMatchLabels("app", "db")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "db")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("db")
                .withImage(V1)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .fieldManager("slipway")
        .serverSideApply();

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              StatefulSet db = client.apps().statefulSets().inNamespace(NS).withName("db").get();
              assertThat(db.getStatus().getReadyReplicas()).isEqualTo(2);
              assertThat(db.getStatus().getUpdatedReplicas()).isEqualTo(2);
              assertThat(db.getStatus().getCurrentRevision())
                  .isEqualTo(db.getStatus().getUpdateRevision());
            });
    assertThat(pods()).extracting(p -> p.getMetadata().getName()).contains("db-0", "db-1");
  }

  @Test
  void jobsCompleteOrFailAfterTheirBackoffLimit() {
    policy.forDeployment("broken", Behaviour.CRASH_LOOP);
    client.resource(job("migrate", 0)).fieldManager("slipway").serverSideApply();
    client.resource(job("broken", 1)).fieldManager("slipway").serverSideApply();

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(jobCondition("migrate")).isEqualTo("Complete");
              assertThat(jobCondition("broken")).isEqualTo("Failed BackoffLimitExceeded");
            });
  }

  @Test
  void anAutoscalerKeepsItsTargetWithinBounds() {
    apply(deployment(NS, "api", V1, 1));
    client
        .resource(
            new HorizontalPodAutoscalerBuilder()
                .withNewMetadata()
                .withName("api")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withNewScaleTargetRef("apps/v1", "Deployment", "api")
                .withMinReplicas(3)
                .withMaxReplicas(5)
                .endSpec()
                .build())
        .fieldManager("slipway")
        .serverSideApply();

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(get("api").getStatus().getAvailableReplicas()).isEqualTo(3));
    assertThat(get("api").getMetadata().getManagedFields())
        .anyMatch(m -> m.getManager().equals("kube-controller-manager"));
  }

  private Job job(String name, int backoffLimit) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(backoffLimit)
        .withNewTemplate()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("job")
        .withImage(V1)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private String jobCondition(String name) {
    Job job = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    return job.getStatus() == null
        ? "none"
        : job.getStatus().getConditions().stream()
            .map(c -> c.getType() + (c.getReason() == null ? "" : " " + c.getReason()))
            .findFirst()
            .orElse("none");
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

package dev.slipway.sandbox;

import static dev.slipway.sandbox.Deployments.deployment;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServerSideApplyTest {

  private SandboxServer sandbox;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    sandbox =
        SandboxServer.start(
            0,
            BehaviourPolicy.ALWAYS_AVAILABLE,
            new RolloutSimulator.Settings(
                java.time.Duration.ZERO,
                java.time.Duration.ofSeconds(1),
                java.time.Duration.ofMillis(50),
                1));
    client = sandbox.client();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  @Test
  void applyCreatesAMissingObject() {
    Deployment applied =
        client
            .resource(deployment("shop", "web", "r.example/web@sha256:1", 2))
            .fieldManager("slipway")
            .forceConflicts()
            .serverSideApply();

    assertThat(applied.getMetadata().getUid()).isNotBlank();
    assertThat(applied.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(client.apps().deployments().inNamespace("shop").withName("web").get()).isNotNull();
  }

  @Test
  void applyMergesIntoAnExistingObjectReplacingListsAndKeepingStatus() {
    Deployment first = deployment("shop", "web", "r.example/web@sha256:1", 2);
    first.getMetadata().getLabels().put("team", "payments");
    client.resource(first).fieldManager("slipway").serverSideApply();
    Deployment stored = client.apps().deployments().inNamespace("shop").withName("web").get();
    stored.setStatus(new DeploymentStatusBuilder().withObservedGeneration(1L).build());
    client.resource(stored).updateStatus();

    Deployment second = deployment("shop", "web", "r.example/web@sha256:2", 3);
    second.getSpec().getTemplate().getSpec().getContainers().get(0).setName("main");
    Deployment applied =
        client.resource(second).fieldManager("slipway").forceConflicts().serverSideApply();

    assertThat(applied.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(applied.getMetadata().getUid()).isEqualTo(stored.getMetadata().getUid());
    assertThat(applied.getSpec().getReplicas()).isEqualTo(3);
    // A list is replaced by the applied one, as server-side apply does for atomic lists.
    assertThat(applied.getSpec().getTemplate().getSpec().getContainers())
        .extracting(c -> c.getName() + "=" + c.getImage())
        .containsExactly("main=r.example/web@sha256:2");
    // Simplification: a field the applier stopped sending stays (no field ownership).
    assertThat(applied.getMetadata().getLabels()).containsEntry("team", "payments");
    assertThat(applied.getStatus().getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void applyingTheSameDocumentAgainChangesNothing() {
    Deployment web = deployment("shop", "web", "r.example/web@sha256:1", 2);
    Deployment first = client.resource(web).fieldManager("slipway").serverSideApply();
    Deployment again = client.resource(web).fieldManager("slipway").serverSideApply();

    assertThat(again.getMetadata().getGeneration()).isEqualTo(first.getMetadata().getGeneration());
    assertThat(again.getMetadata().getResourceVersion())
        .isEqualTo(first.getMetadata().getResourceVersion());
  }

  @Test
  void strategicMergePatchIsAMerge() {
    client
        .resource(deployment("shop", "web", "r.example/web@sha256:1", 2))
        .fieldManager("slipway")
        .serverSideApply();

    Deployment patched =
        client
            .apps()
            .deployments()
            .inNamespace("shop")
            .withName("web")
            .patch(
                PatchContext.of(PatchType.STRATEGIC_MERGE),
                "{\"spec\":{\"replicas\":5},\"metadata\":{\"labels\":{\"tier\":\"web\"}}}");

    assertThat(patched.getSpec().getReplicas()).isEqualTo(5);
    assertThat(patched.getMetadata().getLabels())
        .containsEntry("tier", "web")
        .containsEntry("app.kubernetes.io/name", "web");
    assertThat(patched.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
  }

  @Test
  void everyDeploymentWriteIsJournaled() {
    Deployment web = deployment("shop", "web", "r.example/web@sha256:1", 1);
    client.resource(web).fieldManager("slipway").serverSideApply();
    web.getSpec().setReplicas(4);
    web.getSpec()
        .getTemplate()
        .getSpec()
        .setContainers(
            List.of(
                new ContainerBuilder()
                    .withName("app")
                    .withImage("r.example/web@sha256:2")
                    .build()));
    client.resource(web).fieldManager("slipway").serverSideApply();
    client.apps().deployments().inNamespace("shop").withName("web").delete();

    assertThat(sandbox.writes("shop", "web"))
        .extracting(w -> w.replicas() + " " + w.image())
        .containsExactly("1 r.example/web@sha256:1", "4 r.example/web@sha256:2", "0 null");
  }

  @Test
  void versionAndDiscoveryAreAnswered() {
    assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(SandboxServer.VERSION);
    assertThat(client.getApiGroups().getGroups())
        .extracting(g -> g.getName())
        .contains("apps", "gateway.networking.k8s.io");
  }
}

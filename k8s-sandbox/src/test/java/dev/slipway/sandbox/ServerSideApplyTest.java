package dev.slipway.sandbox;

import static dev.slipway.sandbox.Deployments.deployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
    sandbox.createNamespace("shop");
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
    // Containers are a list keyed by name: the applier owned "app" and no longer sends it.
    assertThat(applied.getSpec().getTemplate().getSpec().getContainers())
        .extracting(c -> c.getName() + "=" + c.getImage())
        .containsExactly("main=r.example/web@sha256:2");
    // A field the applier stopped sending, and nobody else owns, is removed.
    assertThat(applied.getMetadata().getLabels()).doesNotContainKey("team");
    assertThat(applied.getStatus().getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void applyingTheSameDocumentAgainChangesNothing() {
    Deployment web = deployment("shop", "web", "r.example/web@sha256:1", 2);
    Deployment first = client.resource(web).fieldManager("slipway").serverSideApply();
    Deployment again = client.resource(web).fieldManager("slipway").serverSideApply();

    assertThat(again.getMetadata().getGeneration()).isEqualTo(first.getMetadata().getGeneration());
    // The rollout simulator writes status meanwhile (a new resourceVersion, as a real controller's
    // would); the apply itself left the applier's fields as they were.
    assertThat(managedBy(again, "slipway").getFieldsV1())
        .isEqualTo(managedBy(first, "slipway").getFieldsV1());
    assertThat(again.getSpec()).isEqualTo(first.getSpec());
  }

  private static ManagedFieldsEntry managedBy(Deployment deployment, String manager) {
    return deployment.getMetadata().getManagedFields().stream()
        .filter(entry -> entry.getManager().equals(manager))
        .findFirst()
        .orElseThrow();
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
  void aFieldAnotherManagerOwnsIsAConflictUnlessForced() {
    client
        .resource(deployment("shop", "web", "r.example/web@sha256:1", 2))
        .fieldManager("slipway")
        .serverSideApply();
    // Someone scales it by hand: kubectl becomes the manager of spec.replicas.
    client
        .apps()
        .deployments()
        .inNamespace("shop")
        .withName("web")
        .edit(
            d -> {
              d.getSpec().setReplicas(5);
              return d;
            });
    assertThat(managers("web")).contains("fabric8-kubernetes-client/Update");

    Deployment again = deployment("shop", "web", "r.example/web@sha256:1", 3);
    assertThatThrownBy(() -> client.resource(again).fieldManager("slipway").serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "Apply failed with 1 conflict: conflict with \"fabric8-kubernetes-client\""
                          + " using apps/v1: .spec.replicas");
              assertThat(e.getStatus().getDetails().getCauses())
                  .extracting(c -> c.getReason() + " " + c.getField())
                  .containsExactly("FieldManagerConflict .spec.replicas");
            });
    assertThat(get("web").getSpec().getReplicas()).isEqualTo(5);

    Deployment forced =
        client.resource(again).fieldManager("slipway").forceConflicts().serverSideApply();
    assertThat(forced.getSpec().getReplicas()).isEqualTo(3);
    // The same value sent again by the other manager is shared, not a conflict.
    Deployment same = deployment("shop", "web", "r.example/web@sha256:1", 3);
    assertThat(
            client.resource(same).fieldManager("other").serverSideApply().getSpec().getReplicas())
        .isEqualTo(3);
  }

  @Test
  void anOmittedFieldOwnedByAnotherManagerStays() {
    client
        .resource(deployment("shop", "web", "r.example/web@sha256:1", 2))
        .fieldManager("slipway")
        .serverSideApply();
    client.apps().deployments().inNamespace("shop").withName("web").scale(4);
    Deployment withoutReplicas = deployment("shop", "web", "r.example/web@sha256:2", 2);
    withoutReplicas.getSpec().setReplicas(null);

    Deployment applied = client.resource(withoutReplicas).fieldManager("slipway").serverSideApply();

    assertThat(applied.getSpec().getReplicas()).isEqualTo(4);
    assertThat(applied.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("r.example/web@sha256:2");
  }

  @Test
  void aDeploymentSelectorIsImmutable() {
    client
        .resource(deployment("shop", "web", "r.example/web@sha256:1", 2))
        .fieldManager("slipway")
        .serverSideApply();
    Deployment other = deployment("shop", "web", "r.example/web@sha256:1", 2);
    other.getSpec().getSelector().getMatchLabels().put("track", "stable");
    other.getSpec().getTemplate().getMetadata().getLabels().put("track", "stable");

    assertThatThrownBy(
            () -> client.resource(other).fieldManager("slipway").forceConflicts().serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getMessage())
                  .startsWith("Deployment.apps \"web\" is invalid: spec.selector: Invalid value:")
                  .endsWith("field is immutable");
            });
    assertThat(get("web").getSpec().getSelector().getMatchLabels()).doesNotContainKey("track");
  }

  @Test
  void invalidNamesAndMissingNamespacesAreRefused() {
    assertThatThrownBy(
            () ->
                client
                    .resource(deployment("shop", "Web_1", "r.example/web@sha256:1", 1))
                    .fieldManager("slipway")
                    .serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getMessage())
                  .contains("metadata.name: Invalid value: \"Web_1\"");
            });
    assertThatThrownBy(
            () ->
                client
                    .resource(deployment("nowhere", "web", "r.example/web@sha256:1", 1))
                    .fieldManager("slipway")
                    .serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(404);
              assertThat(e.getStatus().getMessage()).isEqualTo("namespaces \"nowhere\" not found");
            });
  }

  @Test
  void aDryRunAnswersAndStoresNothing() {
    Deployment web = deployment("shop", "web", "r.example/web@sha256:1", 2);
    Deployment answered = client.resource(web).dryRun().fieldManager("slipway").serverSideApply();

    assertThat(answered.getSpec().getReplicas()).isEqualTo(2);
    assertThat(client.apps().deployments().inNamespace("shop").withName("web").get()).isNull();
    assertThat(sandbox.writes("shop", "web")).isEmpty();
  }

  @Test
  void managedFieldsNameEachManagersFields() {
    client
        .resource(deployment("shop", "web", "r.example/web@sha256:1", 2))
        .fieldManager("slipway")
        .serverSideApply();

    Deployment stored = get("web");
    assertThat(stored.getMetadata().getManagedFields())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.getManager()).isEqualTo("slipway");
              assertThat(entry.getOperation()).isEqualTo("Apply");
              assertThat(entry.getFieldsType()).isEqualTo("FieldsV1");
              assertThat(
                      io.fabric8.kubernetes.client.utils.Serialization.asJson(entry.getFieldsV1()))
                  .contains("\"f:replicas\"")
                  .contains("k:{\\\"name\\\":\\\"app\\\"}");
            });
  }

  private Deployment get(String name) {
    return client.apps().deployments().inNamespace("shop").withName(name).get();
  }

  private List<String> managers(String name) {
    return get(name).getMetadata().getManagedFields().stream()
        .map(m -> m.getManager() + "/" + m.getOperation())
        .toList();
  }

  @Test
  void versionAndDiscoveryAreAnswered() {
    assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(SandboxServer.VERSION);
    assertThat(client.getApiGroups().getGroups())
        .extracting(g -> g.getName())
        .contains("apps", "gateway.networking.k8s.io");
  }
}

package dev.slipway.deploy.rollout;

import static dev.slipway.deploy.support.Deploys.pinned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.ManifestArtifacts;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeployDone;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.RenderedManifests;
import dev.slipway.events.RunContext;
import dev.slipway.testsupport.SlipwayTestResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A team's own manifests (rendered at build time, fetched by digest from a real registry): rolled
 * out and promoted, pruned, HPA-aware, and never touching what Slipway does not own.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class ManifestRolloutIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;

  @Test
  void manifestsAreRolledOutPromotedAndAConfigMapRemovedNextIsPruned() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    String v2 = Deploys.digest("v2");
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null));
    EnvironmentSpec staging =
        Deploys.rolling("staging", "local", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null));
    RunContext run = Deploys.run(dev, staging);
    sandbox.local().createNamespace("dev-ns");
    platformSecret("dev-ns", app);
    RenderedManifests first =
        ManifestArtifacts.push(
            app, Map.of("dev", manifests(app, true), "staging", manifests(app, true)));

    String id = Rollouts.request(Deploys.scanPassed(app, "dev", v1, run, first));

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    Deployment web = client().apps().deployments().inNamespace("dev-ns").withName(app).get();
    assertThat(web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(pinned(app, v1));
    assertThat(web.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "slipway")
        .containsEntry("slipway.dev/application", app)
        .containsEntry("slipway.dev/environment", "dev");
    // The HPA owns the replicas: Slipway never applied them, the autoscaler set its minimum.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        client()
                            .apps()
                            .deployments()
                            .inNamespace("dev-ns")
                            .withName(app)
                            .get()
                            .getSpec()
                            .getReplicas())
                    .isEqualTo(3));
    assertThat(web.getMetadata().getManagedFields())
        .filteredOn(m -> m.getManager().equals("slipway"))
        .allSatisfy(m -> assertThat(m.getFieldsV1().toString()).doesNotContain("f:replicas"));
    assertThat(client().configMaps().inNamespace("dev-ns").withName(app + "-legacy").get())
        .isNotNull();
    assertThat(client().network().v1().ingresses().inNamespace("dev-ns").withName(app).get())
        .isNotNull();
    // Promoted to staging with the staging rendering of the same build.
    await()
        .atMost(ROLLOUT)
        .untilAsserted(
            () ->
                assertThat(
                        client().apps().deployments().inNamespace("staging-ns").withName(app).get())
                    .isNotNull());

    RenderedManifests second =
        ManifestArtifacts.push(
            app, Map.of("dev", manifests(app, false), "staging", manifests(app, false)));
    String next = Rollouts.request(Deploys.scanPassed(app, "dev", v2, run, second));

    JsonPath pruning = Rollouts.awaitFinished(next, ROLLOUT);
    assertThat(pruning.getString("rollout.status")).isEqualTo("SUCCEEDED");
    DeployDone done = Rollouts.deployDone(next).data();
    assertThat(done.reason())
        .contains("pruned ConfigMap " + app + "-legacy (in revision 1, not in revision 2)");
    assertThat(client().configMaps().inNamespace("dev-ns").withName(app + "-legacy").get())
        .isNull();
    assertThat(client().configMaps().inNamespace("dev-ns").withName(app + "-config").get())
        .isNotNull();
    assertThat(client().secrets().inNamespace("dev-ns").withName(app + "-db").get()).isNotNull();
  }

  @Test
  void theRollbackAfterARefusedReleaseDoesNotTakeOverTheForeignObjectEither() {
    String app = Deploys.application();
    String v1 = Deploys.digest("v1");
    sandbox.local().createNamespace("foreign-ns");
    platformSecret("foreign-ns", app);
    EnvironmentSpec foreign =
        Deploys.rolling("foreign", "local", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null));
    RunContext run = Deploys.run(foreign);
    RenderedManifests manifests =
        ManifestArtifacts.push(app, Map.of("foreign", manifests(app, false)));
    String first = Rollouts.request(Deploys.scanPassed(app, "foreign", v1, run, manifests));
    assertThat(Rollouts.awaitFinished(first, ROLLOUT).getString("rollout.status"))
        .isEqualTo("SUCCEEDED");
    // An operator replaces Slipway's ConfigMap by one of their own.
    client().configMaps().inNamespace("foreign-ns").withName(app + "-config").delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client().configMaps().inNamespace("foreign-ns").withName(app + "-config").get()
                    == null);
    kubectl()
        .configMaps()
        .inNamespace("foreign-ns")
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName(app + "-config")
                .endMetadata()
                .addToData("banner", "Closed for inventory.")
                .build())
        .create();

    String next =
        Rollouts.request(Deploys.scanPassed(app, "foreign", Deploys.digest("v2"), run, manifests));

    JsonPath refused = Rollouts.awaitFinished(next, ROLLOUT);
    assertThat(refused.getString("rollout.status")).isNotEqualTo("SUCCEEDED");
    assertThat(Rollouts.deployDone(next).data().reason())
        .contains(
            "ConfigMap " + app + "-config in namespace foreign-ns exists and it is not Slipway's");
    // Neither the release nor the rollback after it wrote the operator's ConfigMap.
    io.fabric8.kubernetes.api.model.ConfigMap after =
        client().configMaps().inNamespace("foreign-ns").withName(app + "-config").get();
    assertThat(after.getData()).containsEntry("banner", "Closed for inventory.");
    assertThat(after.getMetadata().getLabels()).doesNotContainKey("app.kubernetes.io/managed-by");
    assertThat(
            client()
                .apps()
                .deployments()
                .inNamespace("foreign-ns")
                .withName(app)
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo(pinned(app, v1));
  }

  @Test
  void aDeploymentOfTheSameNameCreatedByHandIsNeitherChangedNorDeleted() {
    String app = Deploys.application();
    sandbox.local().createNamespace("dev-ns");
    Deployment handMade =
        kubectl().resource(handMade("dev-ns", app, "registry.example/someone-else:1.0")).create();
    RunContext run =
        Deploys.run(
            Deploys.rolling(
                "dev", "local", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null)));

    String id = Rollouts.request(Deploys.scanPassed(app, "dev", Deploys.digest("v1"), run));

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("FAILED");
    assertThat(Rollouts.deployDone(id).data().reason())
        .contains(
            "Deployment "
                + app
                + " in namespace dev-ns exists and it is not Slipway's (managed by kubectl-client-side-apply (Update))")
        .contains("nothing was applied")
        .contains("adopt: true");
    assertUntouched(
        handMade, client().apps().deployments().inNamespace("dev-ns").withName(app).get());
    assertThat(client().services().inNamespace("dev-ns").withName(app).get()).isNull();
  }

  @Test
  void aFirstReleaseFailingOnAnImmutableFieldLeavesTheAdoptedObjectUntouched() {
    String app = Deploys.application();
    sandbox.local().createNamespace("adopt-ns");
    Deployment handMade =
        kubectl().resource(handMade("adopt-ns", app, "registry.example/someone-else:1.0")).create();
    EnvironmentSpec adopt =
        new EnvironmentSpec(
            "adopt",
            "local",
            "adopt-ns",
            Promotion.AUTO,
            0,
            EnvironmentSpec.Strategy.ROLLING,
            java.util.List.of(),
            Deploys.adopting(1, 30));

    String id =
        Rollouts.request(
            Deploys.scanPassed(app, "adopt", Deploys.digest("v1"), Deploys.run(adopt)));

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("FAILED");
    assertThat(Rollouts.deployDone(id).data().reason())
        .contains("spec.selector")
        .contains("field is immutable")
        .contains("removed Service " + app + " (created by this rollout)");
    assertUntouched(
        handMade, client().apps().deployments().inNamespace("adopt-ns").withName(app).get());
    assertThat(client().services().inNamespace("adopt-ns").withName(app).get()).isNull();
  }

  @Test
  void anHpaThatRescalesDuringARolloutIsRespected() {
    String app = Deploys.application();
    EnvironmentSpec dev =
        Deploys.rolling("hpa", "local", Promotion.AUTO, 0, Deploys.settings(2, 30, null, null));
    RunContext run =
        Deploys.run(
            new EnvironmentSpec(
                "hpa",
                "local",
                "hpa-ns",
                Promotion.AUTO,
                0,
                EnvironmentSpec.Strategy.ROLLING,
                java.util.List.of(),
                dev.deployment()));
    RenderedManifests manifests = ManifestArtifacts.push(app, Map.of("hpa", manifests(app, false)));
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "hpa", Deploys.digest("v1"), run, manifests)),
        ROLLOUT);

    String v2 = Deploys.digest("v2");
    String id = Rollouts.request(Deploys.scanPassed(app, "hpa", v2, run, manifests));
    // The autoscaler scales out in the middle of the rollout: as soon as the new template is in the
    // API server, not once the rollout's log says so (its lines are stored in batches, and on a
    // busy machine the rollout could be over by then: one clean-clone run saw it end at 3/3).
    await()
        .pollInterval(Duration.ofMillis(5))
        .atMost(ROLLOUT)
        .until(
            () -> {
              Deployment now =
                  client().apps().deployments().inNamespace("hpa-ns").withName(app).get();
              return now != null
                  && now.getSpec().getTemplate().getSpec().getContainers().stream()
                      .anyMatch(c -> c.getImage().endsWith(v2));
            });
    client().apps().deployments().inNamespace("hpa-ns").withName(app).scale(5);

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(Rollouts.deployDone(id).data().reason())
        .contains("updated 5/5, ready 5/5, available 5/5");
    assertThat(
            client()
                .apps()
                .deployments()
                .inNamespace("hpa-ns")
                .withName(app)
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(5);
  }

  @Test
  void manifestsNamingAnotherNamespaceOrAClusterScopedKindAreRefusedBeforeAnythingIsApplied() {
    String app = Deploys.application();
    sandbox.local().createNamespace("kube-system");
    RunContext run =
        Deploys.run(
            Deploys.rolling(
                "dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null)));
    // Artifacts build-service would have refused to render, pushed straight to the registry.
    RenderedManifests elsewhere =
        ManifestArtifacts.push(
            app,
            Map.of(
                "dev",
                manifests(app, false)
                    + """
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: %s-escape
                      namespace: kube-system
                    data:
                      mode: everywhere
                    """
                        .formatted(app)));

    String id =
        Rollouts.request(Deploys.scanPassed(app, "dev", Deploys.digest("ns"), run, elsewhere));

    assertThat(Rollouts.awaitFinished(id, ROLLOUT).getString("rollout.status")).isEqualTo("FAILED");
    assertThat(Rollouts.deployDone(id).data().reason())
        .contains(
            "ConfigMap "
                + app
                + "-escape names namespace kube-system; environment dev deploys only into dev-ns")
        .contains("nothing was applied");
    assertThat(client().configMaps().inNamespace("kube-system").withName(app + "-escape").get())
        .isNull();
    assertThat(client().apps().deployments().inNamespace("dev-ns").withName(app).get()).isNull();

    RenderedManifests clusterWide =
        ManifestArtifacts.push(
            app,
            Map.of(
                "dev",
                manifests(app, false)
                    + """
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata:
                      name: %s-admin
                    roleRef:
                      apiGroup: rbac.authorization.k8s.io
                      kind: ClusterRole
                      name: cluster-admin
                    subjects:
                      - kind: ServiceAccount
                        name: default
                        namespace: dev-ns
                    """
                        .formatted(app)));

    String next =
        Rollouts.request(Deploys.scanPassed(app, "dev", Deploys.digest("crb"), run, clusterWide));

    assertThat(Rollouts.awaitFinished(next, ROLLOUT).getString("rollout.status"))
        .isEqualTo("FAILED");
    assertThat(Rollouts.deployDone(next).data().reason())
        .contains("ClusterRoleBinding " + app + "-admin is cluster-scoped")
        .contains("nothing was applied");
    assertThat(client().rbac().clusterRoleBindings().withName(app + "-admin").get()).isNull();
    assertThat(client().apps().deployments().inNamespace("dev-ns").withName(app).get()).isNull();
  }

  @Test
  void everyContainerOfTheApplicationsImageRunsTheBuildsDigestWhateverTheManifestsSay() {
    String app = Deploys.application();
    String built = Deploys.digest("built");
    String other = Deploys.digest("other");
    RunContext run =
        Deploys.run(
            Deploys.rolling(
                "pin", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null)));
    // A tag, another digest of the same repository and the bare application name: none of them
    // is what was built and scanned.
    String yaml =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: %1$s
          template:
            metadata:
              labels:
                app: %1$s
            spec:
              initContainers:
                - name: migrate
                  image: %1$s:dev
              containers:
                - name: web
                  image: %2$s@%3$s
                - name: tools
                  image: %2$s:latest
        """
            .formatted(app, Deploys.image(app), other);
    RenderedManifests manifests = ManifestArtifacts.push(app, Map.of("pin", yaml));

    String id = Rollouts.request(Deploys.scanPassed(app, "pin", built, run, manifests));

    assertThat(Rollouts.awaitFinished(id, ROLLOUT).getString("rollout.status"))
        .isEqualTo("SUCCEEDED");
    var pod =
        client()
            .apps()
            .deployments()
            .inNamespace("pin-ns")
            .withName(app)
            .get()
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getInitContainers())
        .extracting(c -> c.getImage())
        .containsExactly(pinned(app, built));
    assertThat(pod.getContainers())
        .extracting(c -> c.getImage())
        .containsExactly(pinned(app, built), pinned(app, built));
  }

  /** The same spec and labels, and nothing written by Slipway (only its status moved). */
  /** The platform team's Secret the manifests reference (never part of them). */
  private void platformSecret(String namespace, String app) {
    client()
        .secrets()
        .inNamespace(namespace)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName(app + "-db")
                .endMetadata()
                .addToStringData("password", "s3cret")
                .build())
        .create();
  }

  private static void assertUntouched(Deployment before, Deployment after) {
    assertThat(after).isNotNull();
    assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
    assertThat(after.getSpec()).isEqualTo(before.getSpec());
    assertThat(after.getMetadata().getLabels()).isEqualTo(before.getMetadata().getLabels());
    assertThat(after.getMetadata().getManagedFields())
        .extracting(m -> m.getManager())
        .doesNotContain("slipway");
  }

  private KubernetesClient client() {
    return sandbox.local().client();
  }

  /** A client writing as kubectl's client-side apply does, for objects made by hand. */
  private KubernetesClient kubectl() {
    if (kubectl == null) {
      kubectl =
          new io.fabric8.kubernetes.client.KubernetesClientBuilder()
              .withConfig(
                  new io.fabric8.kubernetes.client.ConfigBuilder(client().getConfiguration())
                      .withUserAgent("kubectl-client-side-apply/v1.31.0")
                      .build())
              .build();
    }
    return kubectl;
  }

  private KubernetesClient kubectl;

  private static Deployment handMade(String namespace, String name, String image) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * An application's manifests: ConfigMaps, a Secret reference, Deployment, Service, HPA, Ingress.
   */
  private static String manifests(String app, boolean withLegacy) {
    String legacy =
        withLegacy
            ? """
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: %s-legacy
            data:
              mode: old
            """
                .formatted(app)
            : "";
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %1$s-config
        data:
          banner: Hello from %1$s
        %2$s---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: %1$s
          template:
            metadata:
              labels:
                app: %1$s
            spec:
              containers:
                - name: web
                  image: %3$s:latest
                  envFrom:
                    - configMapRef:
                        name: %1$s-config
                  env:
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef:
                          name: %1$s-db
                          key: password
                  ports:
                    - containerPort: 8080
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: %1$s
        spec:
          selector:
            app: %1$s
          ports:
            - port: 80
              targetPort: 8080
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: %1$s
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: %1$s
          minReplicas: 3
          maxReplicas: 6
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: %1$s
        spec:
          rules:
            - host: %1$s.example
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: %1$s
                        port:
                          number: 80
        """
        .formatted(app, legacy, Deploys.image(app));
  }
}

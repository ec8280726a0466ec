package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.slipway.events.BuildSettings;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.DeploymentSettings.Analysis.Comparison;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventJson;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The platform-owned settings of the registry (deployment settings per environment, denied
 * licences, where to clone from): accepted, checked field by field with 400s naming the path,
 * stored, shown with their defaults, and carried into every run's pipeline snapshot. Unknown
 * properties are refused by name.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class RegistrySettingsIT {

  @Test
  void settingsAreShownWithDefaultsAndCarriedIntoTheRun() {
    String app = Webhooks.unique("settings");
    String secret = "settings-secret-" + app;
    Map<String, Object> body = threeEnvironments(app, secret);
    Map<String, Object> prod = environment(body, 2);
    prod.put(
        "deployment",
        Map.of(
            "replicas",
            4,
            "port",
            9090,
            "resources",
            Map.of(
                "cpuRequest",
                "250m",
                "memoryRequest",
                "128Mi",
                "cpuLimit",
                "1",
                "memoryLimit",
                "256Mi"),
            "healthPath",
            "/q/health/ready",
            "env",
            Map.of("LOG_LEVEL", "info", "FEATURE_X", "on"),
            "timeoutSeconds",
            900,
            "httpRoute",
            "shop-route",
            "analysis",
            Map.of(
                "prometheusQuery", "sum(rate(http_requests_total{code=~\"5..\"}[1m]))",
                "threshold", 0.05,
                "comparison", "below",
                "failureLimit", 1,
                "samples", 3,
                "intervalSeconds", 20,
                "maxRestarts", 1)));
    body.put(
        "scanPolicy",
        Map.of(
            "failOn",
            "critical",
            "deniedLicenses",
            List.of("AGPL-3.0-only", "LicenseRef-acme-internal")));
    body.put(
        "source",
        Map.of(
            "cloneUrl",
            "file:///srv/git/acme/" + app + ".git",
            "credentialsRef",
            "acme-read-token",
            "directory",
            "services/shop/"));
    body.put(
        "build",
        Map.of(
            "defaultBranch",
            "trunk",
            "protectedRefs",
            List.of("release/*"),
            "secrets",
            List.of(
                Map.of("secret", "npm-token", "refs", List.of("trunk", "v*")),
                Map.of("secret", "prod-signing", "environments", List.of("prod")))));
    Webhooks.register(body);

    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .get("/api/apps/" + app)
        .then()
        .statusCode(200)
        .body("environments[0].promotion", equalTo("auto"))
        .body("environments[0].requiredApprovals", equalTo(0))
        .body("environments[0].deployment.replicas", equalTo(2))
        .body("environments[0].deployment.port", equalTo(8080))
        .body("environments[0].deployment.timeoutSeconds", equalTo(300))
        .body("environments[0].deployment.analysis", nullValue())
        .body("environments[1].promotion", equalTo("manual"))
        .body("environments[1].requiredApprovals", equalTo(1))
        .body("environments[2].deployment.replicas", equalTo(4))
        .body("environments[2].deployment.resources.memoryLimit", equalTo("256Mi"))
        .body("environments[2].deployment.env.LOG_LEVEL", equalTo("info"))
        .body("environments[2].deployment.httpRoute", equalTo("shop-route"))
        .body("environments[2].deployment.analysis.comparison", equalTo("below"))
        .body("environments[2].deployment.analysis.samples", equalTo(3))
        .body("scanPolicy.deniedLicenses", contains("AGPL-3.0-only", "LicenseRef-acme-internal"))
        .body("source.cloneUrl", equalTo("file:///srv/git/acme/" + app + ".git"))
        .body("source.credentialsRef", equalTo("acme-read-token"))
        .body("source.directory", equalTo("services/shop"))
        .body("build.defaultBranch", equalTo("trunk"))
        .body("build.protectedRefs", contains("release/*"))
        .body("build.secrets[0].refs", contains("trunk", "v*"))
        .body("build.secrets[1].environments", contains("prod"));

    String push = Webhooks.payload("github-push.json", "acme/" + app);
    Webhooks.postFor(
            "github",
            app,
            push,
            Webhooks.github("push", UUID.randomUUID().toString(), secret, push))
        .then()
        .statusCode(202);
    CommitReceived commit =
        EventJson.readPayload(recordsOf(app).get(0).value(), CommitReceived.class);
    List<EnvironmentSpec> chain = commit.pipeline().environments();
    assertThat(chain).extracting(EnvironmentSpec::requiredApprovals).containsExactly(0, 1, 3);
    assertThat(chain.get(0).deployment()).isEqualTo(DeploymentSettings.DEFAULTS);
    DeploymentSettings settings = chain.get(2).deployment();
    assertThat(settings.replicas()).isEqualTo(4);
    assertThat(settings.port()).isEqualTo(9090);
    assertThat(settings.resources().cpuRequest()).isEqualTo("250m");
    assertThat(settings.env()).containsEntry("FEATURE_X", "on");
    assertThat(settings.timeoutSeconds()).isEqualTo(900);
    assertThat(settings.analysis().comparison()).isEqualTo(Comparison.BELOW);
    assertThat(settings.analysis().threshold()).isEqualTo(0.05);
    assertThat(commit.pipeline().scanPolicy().deniedLicenses())
        .containsExactly("AGPL-3.0-only", "LicenseRef-acme-internal");
    assertThat(commit.pipeline().source().cloneUrl())
        .isEqualTo("file:///srv/git/acme/" + app + ".git");
    assertThat(commit.pipeline().source().credentialsRef()).isEqualTo("acme-read-token");
    assertThat(commit.pipeline().source().directory()).isEqualTo("services/shop");
    BuildSettings build = commit.pipeline().build();
    assertThat(build.defaultBranch()).isEqualTo("trunk");
    assertThat(build.protectedRefs()).containsExactly("release/*");
    assertThat(build.secrets())
        .containsExactly(
            new BuildSettings.SecretGrant("npm-token", List.of("trunk", "v*"), List.of()),
            new BuildSettings.SecretGrant("prod-signing", List.of(), List.of("prod")));
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        invalid("environments[2].deployment.replicas", b -> deployment(b).put("replicas", 0)),
        invalid("environments[2].deployment.replicas", b -> deployment(b).put("replicas", "3")),
        invalid("environments[2].deployment.replicas", b -> deployment(b).put("replicas", 2.5)),
        invalid("environments[2].deployment.port", b -> deployment(b).put("port", 70000)),
        invalid(
            "environments[2].deployment.timeoutSeconds",
            b -> deployment(b).put("timeoutSeconds", 0)),
        invalid(
            "environments[2].deployment.healthPath",
            b -> deployment(b).put("healthPath", "healthz")),
        invalid(
            "environments[2].deployment.httpRoute",
            b -> deployment(b).put("httpRoute", "Shop_Route")),
        invalid(
            "environments[2].deployment.resources.cpuRequest",
            b -> deployment(b).put("resources", Map.of("cpuRequest", "lots"))),
        invalid(
            "environments[2].deployment.resources.memoryLimit",
            b -> deployment(b).put("resources", Map.of("memoryLimit", "-1Gi"))),
        invalid(
            "environments[2].deployment.resources.memoryRequest",
            b ->
                deployment(b)
                    .put("resources", Map.of("memoryRequest", "1Gi", "memoryLimit", "512Mi"))),
        invalid(
            "environments[2].deployment.env.1BAD",
            b -> deployment(b).put("env", Map.of("1BAD", "x"))),
        invalid("environments[2].deployment.env", b -> deployment(b).put("env", manyVariables(65))),
        invalid(
            "environments[2].deployment.env.BIG",
            b -> deployment(b).put("env", Map.of("BIG", "x".repeat(4097)))),
        invalid(
            "environments[2].deployment.analysis.threshold",
            b -> deployment(b).put("analysis", Map.of("prometheusQuery", "up"))),
        invalid(
            "environments[2].deployment.analysis.comparison",
            b ->
                deployment(b)
                    .put(
                        "analysis",
                        Map.of("prometheusQuery", "up", "threshold", 1, "comparison", "equal"))),
        invalid(
            "environments[2].deployment.analysis.failureLimit",
            b ->
                deployment(b)
                    .put(
                        "analysis",
                        Map.of(
                            "prometheusQuery",
                            "up",
                            "threshold",
                            1,
                            "samples",
                            2,
                            "failureLimit",
                            2))),
        invalid(
            "environments[2].deployment.analysis.threshold",
            b -> deployment(b).put("analysis", Map.of("threshold", 1))),
        invalid(
            "environments[2].deployment.analysis.prometheusUrl",
            b ->
                deployment(b)
                    .put(
                        "analysis",
                        Map.of(
                            "prometheusQuery",
                            "up",
                            "threshold",
                            1,
                            "prometheusUrl",
                            "prometheus.monitoring:9090"))),
        invalid(
            "environments[2].deployment.analysis.consecutiveErrorLimit",
            b ->
                deployment(b)
                    .put(
                        "analysis",
                        Map.of(
                            "prometheusQuery", "up", "threshold", 1, "consecutiveErrorLimit", -1))),
        invalid(
            "environments[2].deployment.soakSeconds", b -> deployment(b).put("soakSeconds", 3601)),
        invalid(
            "environments[2].deployment.pod.envFromSecrets[0]",
            b -> deployment(b).put("pod", Map.of("envFromSecrets", List.of("Not_A_Name")))),
        invalid(
            "environments[2].deployment.pod.secretEnv.DB_PASSWORD.key",
            b ->
                deployment(b)
                    .put(
                        "pod",
                        Map.of(
                            "secretEnv",
                            Map.of("DB_PASSWORD", Map.of("secret", "shop-db", "key", "bad key"))))),
        invalid(
            "environments[2].deployment.pod.volumes[0]",
            b ->
                deployment(b)
                    .put(
                        "pod",
                        Map.of(
                            "volumes",
                            List.of(
                                Map.of(
                                    "name",
                                    "config",
                                    "mountPath",
                                    "/etc/shop",
                                    "configMap",
                                    "a",
                                    "secret",
                                    "b"))))),
        invalid(
            "environments[2].deployment.pod.volumes[0].mountPath",
            b ->
                deployment(b)
                    .put(
                        "pod",
                        Map.of(
                            "volumes",
                            List.of(
                                Map.of(
                                    "name", "config", "mountPath", "../etc", "configMap", "a"))))),
        invalid(
            "environments[2].deployment.pod.serviceAccountName",
            b -> deployment(b).put("pod", Map.of("serviceAccountName", "Shop Runner"))),
        invalid(
            "environments[2].deployment.pod.ports[0].name",
            b ->
                deployment(b)
                    .put("pod", Map.of("ports", List.of(Map.of("name", "http", "port", 9090))))),
        invalid(
            "scanPolicy.deniedLicenses[1]",
            b ->
                b.put(
                    "scanPolicy",
                    Map.of("failOn", "high", "deniedLicenses", List.of("MIT", "GPL 3")))),
        invalid(
            "scanPolicy.deniedLicenses[1]",
            b ->
                b.put(
                    "scanPolicy",
                    Map.of("failOn", "high", "deniedLicenses", List.of("MIT", "mit")))),
        invalid(
            "scanPolicy.deniedLicenses",
            b ->
                b.put(
                    "scanPolicy",
                    Map.of(
                        "failOn",
                        "high",
                        "deniedLicenses",
                        Stream.generate(() -> "MIT").limit(101).toList()))),
        invalid(
            "source.cloneUrl",
            b ->
                b.put(
                    "source",
                    Map.of("cloneUrl", "https://ada:ghp_token@github.com/acme/shop.git"))),
        invalid(
            "source.cloneUrl",
            b -> b.put("source", Map.of("cloneUrl", "ftp://example.com/acme/shop.git"))),
        invalid(
            "source.cloneUrl",
            b -> b.put("source", Map.of("cloneUrl", "file://host/srv/git/shop.git"))),
        invalid(
            "source.credentialsRef",
            b -> b.put("source", Map.of("credentialsRef", "ghp_0123456789abcdefABCDEF"))),
        invalid("source.directory", b -> b.put("source", Map.of("directory", "../other-app"))),
        invalid("build.defaultBranch", b -> b.put("build", Map.of("defaultBranch", "a b"))),
        invalid(
            "build.secrets[0].refs",
            b -> b.put("build", Map.of("secrets", List.of(Map.of("secret", "npm-token"))))),
        invalid(
            "build.secrets[0].secret",
            b ->
                b.put(
                    "build",
                    Map.of(
                        "secrets",
                        List.of(Map.of("secret", "NPM_TOKEN", "refs", List.of("main")))))),
        invalid(
            "build.secrets[0].environments[0]",
            b ->
                b.put(
                    "build",
                    Map.of(
                        "secrets",
                        List.of(Map.of("secret", "npm-token", "environments", List.of("moon")))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void invalidSettingIs400NamingItsPath(String field, Consumer<Map<String, Object>> change) {
    String app = Webhooks.unique("bad-setting");
    Map<String, Object> body = threeEnvironments(app, "bad-setting-secret");
    change.accept(body);
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/apps")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo(field));
    given().auth().oauth2(Webhooks.ADMIN).get("/api/apps/" + app).then().statusCode(404);
  }

  @Test
  void unknownPropertiesAreRefusedByNameOnPostAndPut() {
    String app = Webhooks.unique("unknown-prop");
    Map<String, Object> body = threeEnvironments(app, "the-real-secret");
    body.put("webhook_secret", "a-leaked-secret");
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/apps")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("webhook_secret"))
        .body("detail", containsString("webhook_secret"));

    body.remove("webhook_secret");
    Webhooks.register(body);
    Map<String, Object> update = threeEnvironments(app, null);
    update.remove("webhookSecret");
    deployment(update).put("replica", 3);
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body(update)
        .put("/api/apps/" + app)
        .then()
        .statusCode(400)
        .body("field", equalTo("environments[2].deployment.replica"));
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"name\": \"" + app + "\", \"name\": \"twice\"}")
        .put("/api/apps/" + app)
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  /** dev (auto), staging (manual, approvals left out), prod (manual, 3 approvals, canary). */
  private static Map<String, Object> threeEnvironments(String app, String secret) {
    Map<String, Object> body =
        Webhooks.application(app, "github", "https://github.com/acme/" + app, secret);
    List<Object> environments = new ArrayList<>();
    environments.add(
        new HashMap<>(
            Map.of(
                "name",
                "dev",
                "cluster",
                "local",
                "namespace",
                app + "-dev",
                "promotion",
                "auto",
                "strategy",
                "rolling")));
    environments.add(
        new HashMap<>(
            Map.of(
                "name",
                "staging",
                "cluster",
                "local",
                "namespace",
                app + "-stg",
                "promotion",
                "manual",
                "strategy",
                "rolling")));
    environments.add(
        new HashMap<>(
            Map.of(
                "name",
                "prod",
                "cluster",
                "eu-west.prod",
                "namespace",
                app + "-prod",
                "promotion",
                "manual",
                "requiredApprovals",
                3,
                "strategy",
                "canary",
                "canarySteps",
                List.of(10, 50, 100),
                "deployment",
                new HashMap<>())));
    body.put("environments", environments);
    return body;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> environment(Map<String, Object> body, int index) {
    return (Map<String, Object>) ((List<Object>) body.get("environments")).get(index);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deployment(Map<String, Object> body) {
    return (Map<String, Object>) environment(body, 2).get("deployment");
  }

  private static Map<String, String> manyVariables(int count) {
    Map<String, String> env = new LinkedHashMap<>();
    IntStream.range(0, count).forEach(i -> env.put("VAR_" + i, "v"));
    return env;
  }

  private static Arguments invalid(String field, Consumer<Map<String, Object>> change) {
    return Arguments.of(field, change);
  }
}

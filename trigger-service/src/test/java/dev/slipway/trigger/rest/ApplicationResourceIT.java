package dev.slipway.trigger.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import dev.slipway.trigger.Application;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Webhooks;
import dev.slipway.trigger.problem.ConcurrentChangeException;
import dev.slipway.trigger.repository.ApplicationRepository;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The registry API: create, read, replace, delete; validation and conflicts as problems. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ApplicationResourceIT {

  @Inject ApplicationRepository repository;

  private static final String VIEWER = TestTokens.token("vera", "viewer");

  @Test
  void createdApplicationIsReadBackNormalizedAndWithoutItsSecret() {
    String name = Webhooks.unique("crud");
    Map<String, Object> body =
        Webhooks.application(
            name, "github", "git@github.com:Acme/Shop-" + name + ".git", "s3cret-value");
    body.put("branches", List.of("main", "release/*"));
    body.put("tags", List.of("v*"));

    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/apps")
        .then()
        .statusCode(201)
        .header("Location", endsWith("/api/apps/" + name))
        .body("repositoryUrl", equalTo("https://github.com/acme/shop-" + name))
        .body("webhookSecret", nullValue());

    given()
        .auth()
        .oauth2(VIEWER)
        .get("/api/apps/" + name)
        .then()
        .statusCode(200)
        .body("name", equalTo(name))
        .body("provider", equalTo("github"))
        .body("branches", contains("main", "release/*"))
        .body("tags", contains("v*"))
        .body("environments.name", contains("dev", "prod"))
        .body("environments[1].promotion", equalTo("manual"))
        .body("environments[1].requiredApprovals", equalTo(2))
        .body("environments[1].strategy", equalTo("canary"))
        .body("environments[1].canarySteps", contains(10, 50, 100))
        .body("scanPolicy.failOn", equalTo("high"))
        .body("scanPolicy.ignoreUnfixed", equalTo(true))
        .body("scanPolicy.unknownSeverityAs", equalTo("high"))
        .body("scanPolicy.allowWithoutDatabase", equalTo(false))
        .body("$", not(hasKey("webhookSecret")));
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("after", name.substring(0, name.length() - 1))
        .get("/api/apps")
        .then()
        .statusCode(200)
        .body("items.name", hasItem(name));
  }

  @Test
  void listPagesByNameAfterTheGivenOne() {
    String prefix = Webhooks.unique("page");
    for (String suffix : List.of("-a", "-b", "-c")) {
      Webhooks.register(
          prefix + suffix, "github", "https://github.com/acme/" + prefix + suffix, "page-secret");
    }
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("after", prefix + "-a")
        .queryParam("limit", 2)
        .get("/api/apps")
        .then()
        .statusCode(200)
        .body("items.name", contains(prefix + "-b", prefix + "-c"))
        .body("next", equalTo(prefix + "-c"));
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("after", prefix + "-c")
        .queryParam("limit", 2)
        .get("/api/apps")
        .then()
        .statusCode(200)
        .body("items.name", not(hasItem(prefix + "-a")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1001", "ten"})
  void badLimitIs400NamingIt(String limit) {
    given()
        .auth()
        .oauth2(VIEWER)
        .queryParam("limit", limit)
        .get("/api/apps")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("limit"));
  }

  @Test
  void webhookSecretIsEncryptedAtRest() {
    String name = Webhooks.unique("enc");
    String secret = "plain-text-secret-" + name;
    Webhooks.register(name, "gitea", "https://gitea.example.com/acme/" + name, secret);

    byte[] stored = CommitTopic.storedSecret(name);

    assertThat(stored).isNotNull();
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(secret);
    assertThat(stored.length).isGreaterThan(secret.length());
  }

  @Test
  void sameRepositorySpelledThreeWaysIsOneRepository() {
    String repo = Webhooks.unique("spell");
    String secret = "spell-secret-" + repo;
    Webhooks.register(repo + "-a", "github", "https://github.com/acme/" + repo + ".git", secret);
    Webhooks.register(repo + "-b", "github", "https://github.com/acme/" + repo, secret);
    Webhooks.register(repo + "-c", "github", "git@github.com:acme/" + repo + ".git", secret);
    for (String suffix : List.of("-a", "-b", "-c")) {
      given()
          .auth()
          .oauth2(VIEWER)
          .get("/api/apps/" + repo + suffix)
          .then()
          .body("repositoryUrl", equalTo("https://github.com/acme/" + repo));
    }
  }

  @Test
  void duplicateNameIs409() {
    String name = Webhooks.unique("dup");
    Webhooks.register(name, "github", "https://github.com/acme/" + name, "first-secret");
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body(
            Webhooks.application(name, "gitlab", "https://gitlab.com/acme/" + name, "other-secret"))
        .post("/api/apps")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://slipway.dev/problems/application-exists"));
  }

  static Stream<Arguments> invalidInputs() {
    return Stream.of(
        invalid("name", b -> b.put("name", "Not_A_Label")),
        invalid("repositoryUrl", b -> b.remove("repositoryUrl")),
        invalid("repositoryUrl", b -> b.put("repositoryUrl", "ftp://example.com/acme/shop")),
        invalid("provider", b -> b.put("provider", "svn")),
        invalid("webhookSecret", b -> b.remove("webhookSecret")),
        invalid("branches[1]", b -> b.put("branches", List.of("main", " "))),
        invalid("branches", b -> b.put("branches", Collections.nCopies(51, "main"))),
        invalid("scanPolicy.failOn", b -> b.put("scanPolicy", Map.of("failOn", "catastrophic"))),
        invalid(
            "scanPolicy.unknownSeverityAs",
            b -> b.put("scanPolicy", Map.of("failOn", "high", "unknownSeverityAs", "unknown"))),
        invalid(
            "environments[0].promotion",
            b -> b.put("environments", List.of(environment("rolling", "sometimes", List.of())))),
        invalid(
            "environments[0].canarySteps",
            b -> b.put("environments", List.of(environment("canary", "manual", List.of(50, 10))))),
        invalid("environments", b -> b.put("environments", "dev")),
        invalid(
            "environments",
            b ->
                b.put(
                    "environments",
                    Collections.nCopies(11, environment("rolling", "auto", List.of())))),
        invalid(
            "environments[0].cluster",
            b ->
                b.put(
                    "environments",
                    List.of(
                        with(
                            environment("rolling", "auto", List.of()),
                            "cluster",
                            "Prod_Cluster")))),
        invalid(
            "environments[0].namespace",
            b ->
                b.put(
                    "environments",
                    List.of(
                        with(
                            environment("rolling", "auto", List.of()), "namespace", "shop.prod")))),
        invalid(
            "environments[0].requiredApprovals",
            b ->
                b.put(
                    "environments",
                    List.of(
                        with(
                            environment("rolling", "manual", List.of()), "requiredApprovals", 0)))),
        invalid(
            "environments[0].requiredApprovals",
            b ->
                b.put(
                    "environments",
                    List.of(
                        with(environment("rolling", "auto", List.of()), "requiredApprovals", 2)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidInputs")
  void invalidFieldIs400NamingTheField(String field, Consumer<Map<String, Object>> change) {
    String name = Webhooks.unique("bad");
    Map<String, Object> body =
        Webhooks.application(name, "github", "https://github.com/acme/" + name, "secret-123");
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
    given().auth().oauth2(VIEWER).get("/api/apps/" + name).then().statusCode(404);
  }

  @Test
  void bodyThatIsNotJsonIs400() {
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"name\": ")
        .post("/api/apps")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  void replaceKeepsTheSecretWhenLeftOutAndDeleteRemoves() {
    String name = Webhooks.unique("upd");
    Webhooks.register(name, "github", "https://github.com/acme/" + name, "kept-secret");
    byte[] before = CommitTopic.storedSecret(name);
    Map<String, Object> update =
        Webhooks.application(name, "github", "https://github.com/acme/" + name + "-moved", null);
    update.remove("webhookSecret");
    update.put("scanPolicy", Map.of("failOn", "critical"));

    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .contentType(ContentType.JSON)
        .body(update)
        .put("/api/apps/" + name)
        .then()
        .statusCode(200)
        .body("repositoryUrl", equalTo("https://github.com/acme/" + name + "-moved"))
        .body("scanPolicy.failOn", equalTo("critical"));
    assertThat(CommitTopic.storedSecret(name)).isEqualTo(before);

    given().auth().oauth2(Webhooks.ADMIN).delete("/api/apps/" + name).then().statusCode(204);
    given()
        .auth()
        .oauth2(VIEWER)
        .get("/api/apps/" + name)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given().auth().oauth2(Webhooks.ADMIN).delete("/api/apps/" + name).then().statusCode(404);
  }

  @Test
  void aWriteFromAnOlderReadChangesNothing() {
    String name = Webhooks.unique("stale");
    Webhooks.register(name, "github", "https://github.com/acme/" + name, "s3cret-value");
    Application read =
        repository.find(repository.pool(), name).await().indefinitely().orElseThrow();
    Application stale =
        repository.find(repository.pool(), name).await().indefinitely().orElseThrow();

    read.repoUrl = "https://github.com/acme/" + name + "-first";
    repository.pool().withTransaction(tx -> repository.update(tx, read)).await().indefinitely();
    stale.repoUrl = "https://github.com/acme/" + name + "-second";

    assertThatThrownBy(
            () ->
                repository
                    .pool()
                    .withTransaction(tx -> repository.update(tx, stale))
                    .await()
                    .indefinitely())
        .isInstanceOf(ConcurrentChangeException.class);
    assertThatThrownBy(
            () ->
                repository
                    .pool()
                    .withTransaction(tx -> repository.delete(tx, stale))
                    .await()
                    .indefinitely())
        .isInstanceOf(ConcurrentChangeException.class);
    Application now = repository.find(repository.pool(), name).await().indefinitely().orElseThrow();
    assertThat(now.repoUrl).isEqualTo(read.repoUrl);
    assertThat(now.version).isEqualTo(read.version).isEqualTo(stale.version + 1);
  }

  @Test
  void viewerCannotWrite() {
    String name = Webhooks.unique("ro");
    given()
        .auth()
        .oauth2(VIEWER)
        .contentType(ContentType.JSON)
        .body(Webhooks.application(name, "github", "https://github.com/acme/" + name, "secret-123"))
        .post("/api/apps")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given().auth().oauth2(Webhooks.ADMIN).get("/api/apps/" + name).then().statusCode(404);
  }

  private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    Map<String, Object> copy = new HashMap<>(map);
    copy.put(key, value);
    return copy;
  }

  private static Arguments invalid(String field, Consumer<Map<String, Object>> change) {
    return Arguments.of(field, change);
  }

  private static Map<String, Object> environment(
      String strategy, String promotion, List<Integer> steps) {
    return Map.of(
        "name",
        "dev",
        "cluster",
        "local",
        "namespace",
        "dev",
        "promotion",
        promotion,
        "strategy",
        strategy,
        "canarySteps",
        steps);
  }
}

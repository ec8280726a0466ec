package dev.slipway.build.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.events.BuildDone;
import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whole builds through the real service: a commit.received on the real broker, a real Git
 * repository cloned by file://, steps as real processes, images pushed to a real registry,
 * build.done read back from Kafka.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildPipelineIT {

  static final String DOCKERFILE_PROJECT =
      """
      version: 1
      steps:
        - name: test
          run: |
            echo "running tests"
            mkdir -p target/surefire-reports
            printf '<testsuite tests="5" failures="1" errors="0" skipped="1"/>' > target/surefire-reports/TEST-shop.xml
        - name: package
          run: echo "built" > app.txt
      image:
        builder: dockerfile
      ignores:
        - id: CVE-2024-0001
          reason: not reachable
          expires: 2099-01-31
      """;

  @Test
  void passingProjectIsBuiltIntoAnImageThatLandsInTheRegistry() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                DOCKERFILE_PROJECT,
                "Dockerfile",
                "FROM scratch\nCOPY app.txt /app.txt\n"));

    Envelope<CommitReceived> commit = Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
    String tag = repo.commit().substring(0, 7);
    String digest = OciRegistry.manifestDigest(application, tag);
    assertThat(digest).startsWith("sha256:");
    assertThat(build.getString("image.reference"))
        .isEqualTo(OciRegistry.address() + "/" + application + ":" + tag);
    assertThat(build.getString("image.digest")).isEqualTo(digest);
    assertThat(build.getList("steps.name")).containsExactly("test", "package");
    assertThat(build.getList("steps.status")).containsExactly("SUCCEEDED", "SUCCEEDED");
    assertThat(build.getInt("tests.passed")).isEqualTo(3);
    assertThat(build.getInt("tests.failed")).isEqualTo(1);
    assertThat(Builds.log(build.getString("id"))).contains("running tests");

    BuildDone done = Builds.buildDones(application, 1).get(0).data();
    assertThat(done.status()).isEqualTo(BuildStatus.SUCCEEDED);
    assertThat(done.image().digest()).isEqualTo(digest);
    assertThat(done.buildId()).isEqualTo(build.getString("id"));
    assertThat(build.getLong("durationMs")).isEqualTo(done.durationMs());
    assertThat(done.run().repoUrl()).isEqualTo(commit.data().repoUrl());
    assertThat(done.ignores()).hasSize(1);
    assertThat(done.ignores().get(0).expires()).isEqualTo(LocalDate.of(2099, 1, 31));
    assertThat(done.stageDurationsMs())
        .containsKeys("clone", "test", "package", "image", "push", "sbom");
    // The SBOM is an OCI artifact next to the image, tagged after the image's digest.
    assertThat(done.sbomRef()).startsWith(OciRegistry.address() + "/" + application + "@sha256:");
    String sbomDigest = done.sbomRef().substring(done.sbomRef().indexOf('@') + 1);
    assertThat(OciRegistry.manifestDigest(application, "sha256-" + digest.substring(7) + ".sbom"))
        .isEqualTo(sbomDigest);
    String manifest = OciRegistry.manifest(application, sbomDigest);
    assertThat(manifest).contains("\"artifactType\":\"application/vnd.cyclonedx+json\"");
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/builds/" + done.buildId() + "/sbom")
        .then()
        .statusCode(200)
        .contentType("application/vnd.cyclonedx+json");
  }

  @Test
  void filesBuildPutsFilesOnScratchWithJib() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: build
                    run: mkdir -p dist && echo 'console.log(1)' > dist/server.js
                image:
                  builder: files
                  files: [dist]
                  entrypoint: [node, /app/dist/server.js]
                  port: 8080
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
    String digest = OciRegistry.manifestDigest(application, repo.commit().substring(0, 7));
    assertThat(build.getString("image.digest")).isEqualTo(digest);
    String manifest = OciRegistry.manifest(application, digest);
    JsonPath config =
        JsonPath.from(
            new String(
                OciRegistry.blob(application, JsonPath.from(manifest).getString("config.digest"))));
    assertThat(config.getList("config.Entrypoint")).containsExactly("node", "/app/dist/server.js");
    assertThat(config.getMap("config.ExposedPorts")).containsKey("8080/tcp");
  }

  @Test
  void failingStepFailsTheBuildWithItsExitCodeAndTheLogTail() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: test
                    run: |
                      echo "Tests run: 5, Failures: 2"
                      exit 3
                  - name: never
                    run: echo "must not run"
                image:
                  builder: dockerfile
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("FAILED");
    assertThat(build.getString("failure.step")).isEqualTo("test");
    assertThat(build.getInt("failure.exitCode")).isEqualTo(3);
    assertThat(build.getString("failure.reason")).isEqualTo("exit code 3");
    assertThat(build.getList("steps.name")).containsExactly("test");
    BuildDone done = Builds.buildDones(application, 1).get(0).data();
    assertThat(done.status()).isEqualTo(BuildStatus.FAILED);
    assertThat(done.failure().exitCode()).isEqualTo(3);
    assertThat(done.failure().logTail()).contains("Tests run: 5, Failures: 2");
    assertThat(done.failure().logTail()).hasSizeLessThanOrEqualTo(50);
    assertThat(Builds.log(build.getString("id"))).doesNotContain("must not run");
  }

  @Test
  void stepOverItsTimeoutEndsTheBuildTimedOut() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: hang
                    run: sleep 60
                    timeout: 1s
                image:
                  builder: dockerfile
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("TIMED_OUT");
    assertThat(build.getString("failure.step")).isEqualTo("hang");
    assertThat(build.getString("failure.reason")).isEqualTo("step timed out after 1.0 s");
    assertThat(Builds.buildDones(application, 1).get(0).data().status())
        .isEqualTo(BuildStatus.TIMED_OUT);
  }

  @Test
  void invalidSlipwayYamlFailsTheBuildNamingTheFieldAndItsLine() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: test
                    run: echo hi
                    timeout: ten minutes
                image:
                  builder: dockerfile
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("FAILED");
    assertThat(build.getString("failure.step")).isEqualTo("config");
    assertThat(build.getString("failure.reason"))
        .contains("line 5")
        .contains("steps[0].timeout")
        .contains("duration");
  }

  @Test
  void commitThatNoLongerExistsFailsTheCloneWithThatReason() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo = GitFixture.create(Map.of("README.md", "hi"));
    GitFixture.Repo gone =
        new GitFixture.Repo(repo.url(), "0123456789abcdef0123456789abcdef01234567", repo.dir());

    Builds.start(application, gone);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("failure.step")).isEqualTo("clone");
    assertThat(build.getString("failure.reason")).contains("does not exist in the repository");
  }

  @Test
  void cloneUrlOutsideTheAllowedSchemesIsRefused() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo plainHttp =
        new GitFixture.Repo("http://example.com/acme/shop.git", SampleEvents.COMMIT, null);

    Builds.start(application, plainHttp);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("failure.step")).isEqualTo("clone");
    assertThat(build.getString("failure.reason")).contains("scheme 'http' is not allowed");
  }

  @Test
  void hostileBranchNameAndCommitMessageRunNothing() throws Exception {
    String application = SampleEvents.newApplication();
    java.nio.file.Path marker =
        java.nio.file.Path.of("target", "pwned-" + application).toAbsolutePath();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: show
                    run: echo "ref is $SLIPWAY_REF"
                image:
                  builder: dockerfile
                """,
                "Dockerfile",
                "FROM scratch\nCOPY .slipway.yaml /x\n"));
    String hostile = "$(touch " + marker + ")`touch " + marker + "`;touch " + marker;
    Envelope<CommitReceived> event =
        Builds.commit(
            application, repo, "refs/heads/" + hostile, hostile + "\n\"; touch " + marker);

    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(java.nio.file.Files.exists(marker)).isFalse();
    assertThat(Builds.log(build.getString("id"))).contains("ref is refs/heads/" + hostile);
  }

  @Test
  void secretValuesNeverAppearInTheLogEvenSplitAcrossWritesOrLines() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                secrets:
                  NPM_TOKEN: npm-token
                  DEPLOY_KEY: deploy-key
                steps:
                  - name: leak
                    run: |
                      echo "token=$NPM_TOKEN"
                      printf '%s' "$NPM_TOKEN" | cut -c1-6 | tr -d '\\n'; sleep 0.3; printf '%s\\n' "$NPM_TOKEN" | cut -c7-
                      echo "$DEPLOY_KEY"
                      exit 1
                image:
                  builder: dockerfile
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    String log = Builds.log(build.getString("id"));
    assertThat(log).contains("token=***");
    assertThat(log).doesNotContain(SecretsProfile.NPM_TOKEN);
    assertThat(log).doesNotContain("s3cr3t-").doesNotContain("npm-tok");
    for (String line : SecretsProfile.DEPLOY_KEY.split("\n")) {
      assertThat(log).doesNotContain(line);
    }
    assertThat(build.getString("failure.logTail")).doesNotContain(SecretsProfile.NPM_TOKEN);
  }

  @Test
  void sbomListsExactlyThePackagesOfTheNpmLockfile() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: build
                    run: echo ok
                image:
                  builder: dockerfile
                """,
                "Dockerfile",
                "FROM scratch\nCOPY package.json /app/\n",
                "package.json",
                "{\"name\":\"shop\",\"version\":\"1.0.0\"}",
                "package-lock.json",
                """
                {"name":"shop","version":"1.0.0","lockfileVersion":3,"packages":{
                  "":{"name":"shop","version":"1.0.0"},
                  "node_modules/express":{"version":"4.18.2"},
                  "node_modules/@types/node":{"version":"20.11.5","dev":true},
                  "node_modules/express/node_modules/debug":{"version":"2.6.9"},
                  "node_modules/debug":{"version":"4.3.4"},
                  "packages/local":{"version":"0.0.1"},
                  "node_modules/local":{"resolved":"packages/local","link":true}
                }}
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);
    assertThat(build.getString("status")).isEqualTo("SUCCEEDED");

    JsonPath sbom =
        JsonPath.from(
            given()
                .auth()
                .oauth2(TestTokens.token("vera", "viewer"))
                .get("/api/builds/" + build.getString("id") + "/sbom")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    assertThat(sbom.getString("bomFormat")).isEqualTo("CycloneDX");
    assertThat(sbom.getString("specVersion")).isEqualTo("1.6");
    assertThat(sbom.getList("components.purl", String.class))
        .containsExactlyInAnyOrder(
            "pkg:npm/express@4.18.2",
            "pkg:npm/%40types/node@20.11.5",
            "pkg:npm/debug@2.6.9",
            "pkg:npm/debug@4.3.4");
  }

  @Test
  void cachedPathsAreRestoredForTheNextBuildWithTheSameLockfile() {
    String application = SampleEvents.newApplication();
    String yaml =
        """
        version: 1
        cache:
          key: [package-lock.json]
          paths: [.deps]
        steps:
          - name: install
            run: |
              if [ -f .deps/installed ]; then echo "deps from cache"; else mkdir -p .deps && echo yes > .deps/installed && echo "deps downloaded"; fi
        image:
          builder: dockerfile
        """;
    GitFixture.Repo first =
        GitFixture.create(
            Map.of(
                ".slipway.yaml", yaml,
                "package-lock.json", "{\"lockfileVersion\":3,\"packages\":{}}",
                "Dockerfile", "FROM scratch\nCOPY .slipway.yaml /x\n"));
    Builds.start(application, first);
    JsonPath firstBuild = Builds.awaitEnded(application);
    assertThat(Builds.log(firstBuild.getString("id"))).contains("deps downloaded");

    GitFixture.Repo second = first.commit(Map.of("README.md", "unchanged lockfile"));
    Builds.start(application, second);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Builds.list(application).getList("items").size() == 2);
    JsonPath secondBuild = Builds.awaitEnded(application);

    assertThat(secondBuild.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(Builds.log(secondBuild.getString("id")))
        .contains("cache restored")
        .contains("deps from cache");
  }

  @Test
  void retryStartsANewAttemptOfTheSameRunWithItsOwnBuildDone() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: flaky
                    run: exit 1
                image:
                  builder: dockerfile
                """));
    Envelope<CommitReceived> commit = Builds.start(application, repo);
    String first = Builds.awaitEnded(application).getString("id");

    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .post("/api/builds/" + first + "/retry")
        .then()
        .statusCode(403);
    String second =
        given()
            .auth()
            .oauth2(TestTokens.token("dora", "deployer"))
            .post("/api/builds/" + first + "/retry")
            .then()
            .statusCode(201)
            .extract()
            .path("id");

    assertThat(second).isNotEqualTo(first);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> !List.of("QUEUED", "RUNNING").contains(Builds.one(second).getString("status")));
    JsonPath retried = Builds.one(second);
    assertThat(retried.getInt("attempt")).isEqualTo(2);
    assertThat(retried.getString("runId")).isEqualTo(commit.runId());
    assertThat(retried.getString("requestedBy")).isEqualTo("dora");
    List<Envelope<BuildDone>> dones = Builds.buildDones(application, 2);
    assertThat(dones).extracting(e -> e.data().buildId()).containsExactlyInAnyOrder(first, second);
    assertThat(dones).extracting(Envelope::runId).containsOnly(commit.runId());
    assertThat(dones).extracting(Envelope::causationId).containsOnly(commit.id());
  }

  @Test
  void followingTheLogStreamsItsLinesThenTheOutcome() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: talk
                    run: for i in 1 2 3; do echo "line $i"; sleep 0.2; done; exit 4
                image:
                  builder: dockerfile
                """));
    Builds.start(application, repo);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !Builds.list(application).getList("items").isEmpty());
    String id = Builds.list(application).getString("items[0].id");

    String stream =
        given()
            .auth()
            .oauth2(TestTokens.token("vera", "viewer"))
            .queryParam("follow", "true")
            .get("/api/builds/" + id + "/log")
            .then()
            .statusCode(200)
            .contentType("text/event-stream")
            .extract()
            .asString();

    assertThat(stream).contains("event:log").contains("data:line 3");
    assertThat(stream.indexOf("data:line 1")).isLessThan(stream.indexOf("data:line 3"));
    assertThat(stream)
        .containsPattern("event:outcome\\s*\\n(id:.*\\n)?data:\\{\"status\":\"FAILED\"");
  }

  @Test
  void unknownBuildIsANotFoundProblem() {
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/builds/no-such-build")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("follow", "true")
        .get("/api/builds/no-such-build/log")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void badStatusFilterIsAProblemNamingIt() {
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("status", "DONE")
        .get("/api/builds")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", org.hamcrest.Matchers.equalTo("status"));
  }

  static String json(Object value) {
    return new String(EventJson.writePayload(value));
  }
}

package dev.slipway.build.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a push to an untrusted ref cannot do (issue 17): read a secret the registry binds to main,
 * plant a cache entry main restores, or make the service read, copy or mount a file outside the
 * checkout through a symbolic link (committed, or made by a step).
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildTrustIT {

  private static final String SECRET_STEP =
      """
      version: 1
      secrets:
        NPM_TOKEN: npm-token
      steps:
        - name: release
          run: echo "token length ${#NPM_TOKEN}"
      image:
        builder: files
        files: [.slipway.yaml]
        entrypoint: [/x]
      """;

  @Test
  void featureBranchCannotReadAMainBoundSecretAndTheLogSaysWhy() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo = GitFixture.create(Map.of(".slipway.yaml", SECRET_STEP));

    JsonPath feature = build(application, repo, "refs/heads/feature/x");
    String log = Builds.log(feature.getString("id"));
    assertThat(feature.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(log)
        .contains(
            "==> secret NPM_TOKEN withheld: secret 'npm-token' is bound to refs [main]; this build"
                + " is of refs/heads/feature/x")
        .contains("token length 0");

    JsonPath main = build(application, repo, "refs/heads/main");
    assertThat(Builds.log(main.getString("id")))
        .contains("token length " + SecretsProfile.NPM_TOKEN.length())
        .doesNotContain("withheld");
  }

  @Test
  void featureBranchCannotPoisonMainsCache() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                cache:
                  key: [deps.lock]
                  paths: [.deps]
                steps:
                  - name: deps
                    run: |
                      echo "restored: $(cat .deps/tool 2>/dev/null || echo nothing)"
                      mkdir -p .deps
                      case "$SLIPWAY_REF" in
                        refs/heads/main) echo clean > .deps/tool ;;
                        *) echo poisoned > .deps/tool ;;
                      esac
                image:
                  builder: files
                  files: [deps.lock]
                  entrypoint: [/x]
                """,
                "deps.lock",
                "left-pad 1.3.0\n"));

    JsonPath first = build(application, repo, "refs/heads/main");
    assertThat(Builds.log(first.getString("id"))).contains("restored: nothing");

    JsonPath attack = build(application, repo, "refs/heads/attack");
    String attackLog = Builds.log(attack.getString("id"));
    assertThat(attackLog)
        .contains("cache restored from the protected refs' entry")
        .contains("restored: clean")
        .contains("==> cache saved for this ref only");

    JsonPath again = build(application, repo, "refs/heads/main");
    assertThat(Builds.log(again.getString("id")))
        .contains("restored: clean")
        .doesNotContain("restored: poisoned");

    JsonPath attackAgain = build(application, repo, "refs/heads/attack");
    assertThat(Builds.log(attackAgain.getString("id")))
        .contains("cache restored from this ref's entry")
        .contains("restored: poisoned");
  }

  @Test
  void committedLinkToEtcShadowInFilesIsRefusedWithFieldAndLine() {
    JsonPath build =
        buildWithLinks(
            """
            version: 1
            steps:
              - name: build
                run: "true"
            image:
              builder: files
              files:
                - README.md
                - app.jar
              entrypoint: [/app/app.jar]
            """,
            Map.of("app.jar", "/etc/shadow"));

    assertThat(build.getString("status")).isEqualTo("FAILED");
    assertThat(build.getString("failure.step")).isEqualTo("image");
    assertThat(build.getString("failure.reason"))
        .isEqualTo(
            ".slipway.yaml line 9: image.files[1] 'app.jar' is a link leaving the workspace"
                + " (app.jar -> /etc/shadow)");
  }

  @Test
  void sbomLinkMadeByAStepIsRefused() {
    JsonPath build =
        buildWithLinks(
            """
            version: 1
            steps:
              - name: build
                run: ln -s /proc/1/environ bom.json
            image:
              builder: files
              files: [README.md]
              entrypoint: [/x]
            sbom: bom.json
            """,
            Map.of());

    assertThat(build.getString("failure.step")).isEqualTo("sbom");
    assertThat(build.getString("failure.reason"))
        .isEqualTo(
            ".slipway.yaml line 9: sbom 'bom.json' is a link leaving the workspace"
                + " (bom.json -> /proc/1/environ)");
  }

  @Test
  void cachePathLinkingIntoAnotherWorkspaceIsRefused() {
    JsonPath build =
        buildWithLinks(
            """
            version: 1
            cache:
              key: [README.md]
              paths: [.deps]
            steps:
              - name: build
                run: "true"
            image:
              builder: files
              files: [README.md]
              entrypoint: [/x]
            """,
            Map.of(".deps", "../../another-build/src"));

    assertThat(build.getString("failure.step")).isEqualTo("cache-restore");
    assertThat(build.getString("failure.reason"))
        .contains(".slipway.yaml line 4: cache.paths[0] '.deps' is a link leaving the workspace")
        .contains(".deps -> ../../another-build/src");
  }

  @Test
  void buildContextLinkingToTheRootIsRefused() {
    JsonPath build =
        buildWithLinks(
            """
            version: 1
            steps:
              - name: build
                run: "true"
            image:
              builder: dockerfile
              dockerfile: Dockerfile
              context: ctx
            """,
            Map.of("ctx", "/"));

    assertThat(build.getString("failure.step")).isEqualTo("image");
    assertThat(build.getString("failure.reason"))
        .isEqualTo(
            ".slipway.yaml line 8: image.context 'ctx' is a link leaving the workspace (ctx -> /)");
  }

  private static JsonPath buildWithLinks(String yaml, Map<String, String> links) {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                yaml,
                "README.md",
                "hi\n",
                "Dockerfile",
                "FROM scratch\nCOPY . /\n"),
            links);
    return build(application, repo, "refs/heads/main");
  }

  /** Builds {@code repo} as a push to {@code ref}, after every earlier build of the application. */
  private static JsonPath build(String application, GitFixture.Repo repo, String ref) {
    int before = Builds.list(application).getList("builds").size();
    Envelope<CommitReceived> event = Builds.commit(application, repo, ref, "a change");
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Builds.list(application).getList("builds").size() > before);
    JsonPath ended = Builds.awaitEnded(application);
    List<String> ids = Builds.list(application).getList("builds.id");
    assertThat(ended.getString("id")).isEqualTo(ids.get(0));
    return ended;
  }
}

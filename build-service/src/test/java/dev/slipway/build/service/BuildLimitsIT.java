package dev.slipway.build.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.events.BuildDone;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Limits the repository cannot raise (issue 17): one enormous line, a flood of output, a timeout
 * above the platform's, a workspace filled past its quota, a crowd following one log. Small limits
 * here so the tests stay fast; the defaults are in BuildConfig.
 */
@QuarkusTest
@TestProfile(BuildLimitsIT.SmallLimits.class)
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildLimitsIT {

  /** A 1 MiB log, 4 KiB lines, builds of at most 10 minutes, 64 MiB workspaces, one follower. */
  public static class SmallLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "slipway.build.log.max-bytes", "1048576",
          "slipway.build.log.max-line-length", "4096",
          "slipway.build.max-build-timeout", "10m",
          "slipway.build.workspace-quota", "64m",
          "slipway.build.followers.per-build", "1");
    }
  }

  @TestHTTPResource("/api/builds")
  URL api;

  @Test
  void
      stepPrintingFiveMegabytesOnOneLineThenFailingStillGetsItsBuildDoneDeliveredAndSoDoesTheNext() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: flood
                    run: head -c 5000000 /dev/zero | tr '\\\\0' x; echo; echo "the last words"; exit 7
                image:
                  builder: files
                  files: [.slipway.yaml]
                  entrypoint: [/x]
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("FAILED");
    assertThat(build.getInt("failure.exitCode")).isEqualTo(7);
    BuildDone done = Builds.buildDones(application, 1).get(0).data();
    assertThat(done.failure().logTail()).contains("the last words");
    assertThat(done.failure().logTail())
        .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(1100));
    String log = Builds.log(build.getString("id"));
    assertThat(log).contains("… [line cut: " + (5_000_000 - 4096) + " more characters]");

    String next = SampleEvents.newApplication();
    Builds.start(next, GitFixture.create(Map.of(".slipway.yaml", noop())));
    assertThat(Builds.awaitEnded(next).getString("status")).isEqualTo("SUCCEEDED");
    assertThat(Builds.buildDones(next, 1).get(0).data().status())
        .isEqualTo(BuildDone.BuildStatus.SUCCEEDED);
  }

  @Test
  void outputPastTheLogLimitIsDroppedWithAMarkerAndTheBuildGoesOn() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: chatty
                    run: yes "a line of output" | head -n 200000; echo "after the flood"
                image:
                  builder: files
                  files: [.slipway.yaml]
                  entrypoint: [/x]
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
    String log = Builds.log(build.getString("id"));
    assertThat(log)
        .contains(
            "==> the log reached its limit of 1024 KiB: the steps' further output is not kept"
                + " (the build goes on)")
        .doesNotContain("\nafter the flood\n")
        .contains("==> SUCCEEDED");
    assertThat(log.length()).isLessThan(1024 * 1024 + 64 * 1024 + 4096);
  }

  @Test
  void timeoutAboveThePlatformsLimitIsRefusedWithItsLine() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                timeout: 11m
                steps:
                  - name: build
                    run: "true"
                image:
                  builder: files
                  files: [.slipway.yaml]
                  entrypoint: [/x]
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("failure.step")).isEqualTo("config");
    assertThat(build.getString("failure.reason"))
        .isEqualTo(
            ".slipway.yaml is invalid: line 2: timeout 11 min 0 s is above the platform's limit"
                + " of 10 min 0 s (slipway.build.max-build-timeout)");
  }

  @Test
  void workspaceFilledPastItsQuotaFailsTheBuild() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: fill
                    run: head -c 100000000 /dev/zero > big.bin
                image:
                  builder: files
                  files: [.slipway.yaml]
                  entrypoint: [/x]
                """));

    Builds.start(application, repo);
    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("status")).isEqualTo("FAILED");
    assertThat(build.getString("failure.step")).isEqualTo("fill");
    assertThat(Builds.log(build.getString("id"))).contains("No space left on device");
  }

  @Test
  void secondFollowerOfOneBuildIsRefusedWith429() throws Exception {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: slow
                    run: sleep 4
                image:
                  builder: files
                  files: [.slipway.yaml]
                  entrypoint: [/x]
                """));
    Builds.start(application, repo);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !Builds.list(application).getList("items").isEmpty());
    String id = Builds.list(application).getString("items[0].id");
    HttpRequest follow =
        HttpRequest.newBuilder(URI.create(api + "/" + id + "/log?follow=true"))
            .header("Authorization", "Bearer " + TestTokens.token("vera", "viewer"))
            .build();
    // The first follower holds its place once its response has begun (the stream stays open).
    CompletableFuture<Integer> following = new CompletableFuture<>();
    CompletableFuture<HttpResponse<String>> first =
        HttpClient.newHttpClient()
            .sendAsync(
                follow,
                info -> {
                  following.complete(info.statusCode());
                  return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
                });
    assertThat(following.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(TestTokens.token("vera", "viewer"))
                    .queryParam("follow", "true")
                    .get("/api/builds/" + id + "/log")
                    .then()
                    .statusCode(429)
                    .contentType("application/problem+json")
                    .header("Retry-After", "5"));

    assertThat(first.get().statusCode()).isEqualTo(200);
    assertThat(first.get().body()).contains("event:outcome");
    // Once the first follower is done, following is possible again.
    given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("follow", "true")
        .get("/api/builds/" + id + "/log")
        .then()
        .statusCode(200);
  }

  private static String noop() {
    return """
        version: 1
        steps:
          - name: build
            run: "true"
        image:
          builder: files
          files: [.slipway.yaml]
          entrypoint: [/x]
        """;
  }
}

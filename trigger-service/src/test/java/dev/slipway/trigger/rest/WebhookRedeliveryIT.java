package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.header;
import static dev.slipway.trigger.CommitTopic.recordsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A push is acted on once, however often and however concurrently the host sends it, and even when
 * it comes again under a new delivery id (Gitea's replay, GitLab's resend without Idempotency-Key,
 * a captured body replayed): within the dedup window the same (application, ref, head commit) is
 * the same push.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class WebhookRedeliveryIT {

  @Test
  void redeliveryAnswers200WithTheOriginalRunAndPublishesNothing() {
    String app = Webhooks.unique("redeliver");
    String secret = "redeliver-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String body = Webhooks.payload("github-push.json", "acme/" + app);
    Map<String, String> headers =
        Webhooks.github("push", UUID.randomUUID().toString(), secret, body);

    Response first = Webhooks.post("github", body, headers);
    Response again = Webhooks.post("github", body, headers);

    first.then().statusCode(202);
    again.then().statusCode(200);
    assertThat(again.<String>path("runId")).isEqualTo(first.path("runId"));
    assertThat(recordsOf(app)).hasSize(1);
  }

  @Test
  void fiveConcurrentCopiesOfOneDeliveryYieldOneRecord() throws Exception {
    String app = Webhooks.unique("race");
    String secret = "race-secret-" + app;
    Webhooks.register(app, "gitlab", "https://gitlab.example.com/acme/" + app, secret);
    String body = Webhooks.payload("gitlab-push.json", "acme/" + app);
    Map<String, String> headers =
        Webhooks.gitlab("Push Hook", UUID.randomUUID().toString(), secret);

    ExecutorService pool = Executors.newFixedThreadPool(5);
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        answers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return Webhooks.post("gitlab", body, headers);
                },
                pool));
      }
      start.countDown();
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get();
    } finally {
      pool.shutdown();
    }

    List<Integer> statuses = answers.stream().map(a -> a.join().statusCode()).sorted().toList();
    List<String> runIds =
        answers.stream().map(a -> a.join().<String>path("runId")).distinct().toList();
    assertThat(statuses).containsExactly(200, 200, 200, 200, 202);
    assertThat(runIds).hasSize(1);
    var records = recordsOf(app);
    assertThat(records).hasSize(1);
    assertThat(header(records.get(0), "ce_runid")).isEqualTo(runIds.get(0));
  }

  @Test
  void samePushUnderANewDeliveryIdAnswers200WithTheOriginalRun() {
    String app = Webhooks.unique("replay");
    String secret = "replay-secret-" + app;
    Webhooks.register(app, "gitea", "https://gitea.example.com/acme/" + app, secret);
    String body = Webhooks.payload("gitea-push.json", "acme/" + app);

    Response first =
        Webhooks.post(
            "gitea", body, Webhooks.gitea("push", UUID.randomUUID().toString(), secret, body));
    Response replay =
        Webhooks.post(
            "gitea", body, Webhooks.gitea("push", UUID.randomUUID().toString(), secret, body));
    Response viaOwnUrl =
        Webhooks.postFor(
            "gitea", app, body, Webhooks.gitea("push", UUID.randomUUID().toString(), secret, body));

    first.then().statusCode(202);
    replay.then().statusCode(200);
    viaOwnUrl.then().statusCode(200);
    assertThat(replay.<String>path("runId")).isEqualTo(first.path("runId"));
    assertThat(viaOwnUrl.<String>path("runId")).isEqualTo(first.path("runId"));
    assertThat(recordsOf(app)).hasSize(1);
  }

  @Test
  void samePushAfterTheDedupWindowStartsANewRun() {
    String app = Webhooks.unique("window");
    String secret = "window-secret-" + app;
    Webhooks.register(app, "gitea", "https://gitea.example.com/acme/" + app, secret);
    String body = Webhooks.payload("gitea-push.json", "acme/" + app);
    Response first =
        Webhooks.post(
            "gitea", body, Webhooks.gitea("push", UUID.randomUUID().toString(), secret, body));
    // The first push, as if it had come 25 hours ago (the window is 24 h).
    Database.update(
        "UPDATE pushes SET received_at = now() - interval '25 hours' WHERE application = ?", app);

    Response later =
        Webhooks.post(
            "gitea", body, Webhooks.gitea("push", UUID.randomUUID().toString(), secret, body));

    later.then().statusCode(202);
    assertThat(later.<String>path("runId")).isNotEqualTo(first.path("runId"));
    assertThat(recordsOf(app)).hasSize(2);
  }

  @Test
  void sameCommitPushedToAnotherRefIsAnotherRun() {
    String app = Webhooks.unique("otherref");
    String secret = "otherref-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String body = Webhooks.payload("github-push.json", "acme/" + app);
    String release =
        body.replace("\"ref\": \"refs/heads/main\"", "\"ref\": \"refs/heads/release/1\"");

    Webhooks.post(
            "github", body, Webhooks.github("push", UUID.randomUUID().toString(), secret, body))
        .then()
        .statusCode(202);
    Webhooks.post(
            "github",
            release,
            Webhooks.github("push", UUID.randomUUID().toString(), secret, release))
        .then()
        .statusCode(202);

    assertThat(recordsOf(app)).hasSize(2);
  }

  @Test
  void gitlabIdempotencyKeyWinsOverTheEventUuid() {
    String app = Webhooks.unique("idem");
    String secret = "idem-secret-" + app;
    Webhooks.register(app, "gitlab", "https://gitlab.example.com/acme/" + app, secret);
    String body = Webhooks.payload("gitlab-push.json", "acme/" + app);
    String key = UUID.randomUUID().toString();
    Map<String, String> first =
        new HashMap<>(Webhooks.gitlab("Push Hook", "uuid-1-" + key, secret));
    first.put("Idempotency-Key", key);
    Map<String, String> retry =
        new HashMap<>(Webhooks.gitlab("Push Hook", "uuid-2-" + key, secret));
    retry.put("Idempotency-Key", key);

    Webhooks.post("gitlab", body, first).then().statusCode(202);
    Webhooks.post("gitlab", body, retry).then().statusCode(200);

    assertThat(recordsOf(app)).hasSize(1);
  }
}

package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.EventJson;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signed but hostile bodies never give a 500: they are 400 naming the field, or accepted with free
 * text cut to its documented limit and {@code truncated: true}; the record stays under Kafka's
 * {@code max.request.size}. An unexpected failure is a 500 problem whose error id is in the log,
 * and a secret that cannot be decrypted fails only its own application.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class HostileWebhookIT {

  private static final int MAX_REQUEST_SIZE = 1_048_576;

  static Stream<Arguments> hostileGithubBodies() {
    return Stream.of(
        hostile("ref", push -> push.put("ref", 42)),
        hostile("ref", push -> push.put("ref", "refs/heads/main\u0007")),
        hostile("ref", push -> push.put("ref", "main")),
        hostile("head_commit", push -> push.put("head_commit", "9f3c1e2d")),
        hostile(
            "head_commit.id", push -> ((ObjectNode) push.get("head_commit")).put("id", "HEAD;ls")),
        hostile(
            "head_commit.message",
            push -> ((ObjectNode) push.get("head_commit")).putArray("message")),
        hostile("deleted", push -> push.put("deleted", "yes")),
        hostile("pusher.name", push -> push.putObject("pusher").putArray("name")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileGithubBodies")
  void hostileGithubBodyIs400NamingTheField(String field, Consumer<ObjectNode> spoil) {
    String app = Webhooks.unique("hostile");
    String secret = "hostile-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    ObjectNode push = tree(Webhooks.payload("github-push.json", "acme/" + app));
    spoil.accept(push);
    String body = push.toString();
    String delivery = UUID.randomUUID().toString();

    for (String path : List.of("/webhooks/github", "/webhooks/github/" + app)) {
      Webhooks.postTo(path, body, Webhooks.github("push", delivery, secret, body))
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("field", equalTo(field));
    }
    assertThat(CommitTopic.outboxRows(app)).isZero();
    assertThat(CommitTopic.storedDeliveries(delivery)).isZero();
  }

  @Test
  void gitlabCommitsAsAnObjectIs400() {
    String app = Webhooks.unique("hostile-gl");
    String token = "hostile-token-" + app;
    Webhooks.register(app, "gitlab", "https://gitlab.example.com/acme/" + app, token);
    ObjectNode push = tree(Webhooks.payload("gitlab-push.json", "acme/" + app));
    push.putObject("commits").put("0", "not a list");

    Webhooks.post(
            "gitlab",
            push.toString(),
            Webhooks.gitlab("Push Hook", UUID.randomUUID().toString(), token))
        .then()
        .statusCode(400)
        .body("field", equalTo("commits"));
  }

  @Test
  void deliveryHeaderOfSixKilobytesIs400NamingTheHeader() {
    String app = Webhooks.unique("hostile-hdr");
    String secret = "hostile-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    String body = Webhooks.payload("github-push.json", "acme/" + app);

    Webhooks.postFor(
            "github", app, body, Webhooks.github("push", "d".repeat(6 * 1024), secret, body))
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("field", equalTo("X-GitHub-Delivery"));
    assertThat(CommitTopic.outboxRows(app)).isZero();
  }

  @Test
  void commitMessageOfTwoMegabytesIsCutToTheLimitAndMarkedTruncated() {
    String app = Webhooks.unique("hostile-msg");
    String secret = "hostile-secret-" + app;
    Webhooks.register(app, "github", "https://github.com/acme/" + app, secret);
    ObjectNode push = tree(Webhooks.payload("github-push.json", "acme/" + app));
    String message = "Ü".repeat(1024 * 1024); // 2 MiB of UTF-8
    ((ObjectNode) push.get("head_commit")).put("message", message);
    ((ObjectNode) push.get("head_commit").get("author"))
        .put("name", "LONE Ada " + "x".repeat(5000));
    // A JSON escape of an unpaired surrogate: valid JSON, but no UTF-8 encoder can write it back.
    String body = push.toString().replace("LONE", "\\ud800");

    Webhooks.postFor(
            "github",
            app,
            body,
            Webhooks.github("push", UUID.randomUUID().toString(), secret, body))
        .then()
        .statusCode(202);

    var records = recordsOf(app);
    assertThat(records).hasSize(1);
    assertThat(records.get(0).serializedValueSize()).isLessThan(MAX_REQUEST_SIZE);
    CommitReceived commit = EventJson.readPayload(records.get(0).value(), CommitReceived.class);
    assertThat(commit.truncated()).isTrue();
    // 64 KiB of two-byte characters: 32,768 of them.
    assertThat(commit.message().getBytes(StandardCharsets.UTF_8)).hasSize(65_536);
    assertThat(message).startsWith(commit.message());
    assertThat(commit.author().name()).startsWith("\ufffd Ada ").hasSize(256);
  }

  @Test
  void secretThatCannotBeDecryptedFailsOnlyItsOwnApplication() {
    String repo = Webhooks.unique("broken-secret");
    String secret = "shared-secret-" + repo;
    Webhooks.register(repo + "-ok", "github", "https://github.com/acme/" + repo, secret);
    Webhooks.register(repo + "-bad", "github", "https://github.com/acme/" + repo, secret);
    // A row sealed with a key this instance does not have (or altered): it cannot be decrypted.
    Database.update(
        "UPDATE applications SET webhook_secret = ?, version = version + 1 WHERE name = ?",
        new byte[] {
          'S', 'K', 1, 2, 'k', '9', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
          19, 20, 21, 22, 23, 24, 25, 26, 27, 28
        },
        repo + "-bad");
    awaitIndexNoticed();
    String body = Webhooks.payload("github-push.json", "acme/" + repo);

    Webhooks.post(
            "github", body, Webhooks.github("push", UUID.randomUUID().toString(), secret, body))
        .then()
        .statusCode(202)
        .body("application", equalTo(repo + "-ok"));
    Webhooks.postFor(
            "github",
            repo + "-bad",
            body,
            Webhooks.github("push", UUID.randomUUID().toString(), secret, body))
        .then()
        .statusCode(500)
        .contentType("application/problem+json")
        .body("type", equalTo("https://slipway.dev/problems/secret-unreadable"))
        .body("errorId", notNullValue());

    assertThat(recordsOf(repo + "-ok")).hasSize(1);
    assertThat(recordsOf(repo + "-bad")).isEmpty();
  }

  @Test
  void unexpectedFailureIsA500ProblemWhoseErrorIdIsInTheLog() {
    String app = Webhooks.unique("corrupt");
    Webhooks.register(app, "github", "https://github.com/acme/" + app, "corrupt-secret");
    List<String> logged = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(String.valueOf(record.getMessage()) + " " + List.of(params(record)));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger mapperLog = Logger.getLogger(dev.slipway.problem.ProblemMapper.class.getName());
    mapperLog.addHandler(capture);
    Database.update("UPDATE applications SET environments = '{not json' WHERE name = ?", app);
    try {
      String errorId =
          given()
              .auth()
              .oauth2(Webhooks.ADMIN)
              .get("/api/apps/" + app)
              .then()
              .statusCode(500)
              .contentType("application/problem+json")
              .body("status", equalTo(500))
              .body("errorId", notNullValue())
              .extract()
              .path("errorId");
      assertThat(logged).anySatisfy(line -> assertThat(line).contains(errorId));
    } finally {
      mapperLog.removeHandler(capture);
      Database.update("DELETE FROM applications WHERE name = ?", app);
    }
  }

  private static Object[] params(LogRecord record) {
    return record.getParameters() == null ? new Object[0] : record.getParameters();
  }

  private static void awaitIndexNoticed() {
    // The registry poll runs every 200 ms in tests; a new registration through the API is a
    // barrier: it answers only once this instance's index has read every change before it.
    Map<String, Object> marker =
        new HashMap<>(
            Webhooks.application(
                Webhooks.unique("barrier"),
                "github",
                "https://github.com/acme/barrier",
                "barrier-secret"));
    Webhooks.register(marker);
  }

  private static Arguments hostile(String field, Consumer<ObjectNode> spoil) {
    return Arguments.of(field, spoil);
  }

  private static ObjectNode tree(String json) {
    try {
      JsonNode node = EventJson.mapper().readTree(json);
      return (ObjectNode) node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

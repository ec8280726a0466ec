package dev.slipway.trigger;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.EventJson;
import dev.slipway.testsupport.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test side of a Git host: registers applications through the API, loads the example payloads under
 * {@code src/test/resources/webhooks}, signs them the way each host does and posts them.
 */
public final class Webhooks {

  /** A token of the registry's administrators. */
  public static final String ADMIN = TestTokens.token("root", "admin");

  private Webhooks() {}

  /** A name no other test uses, e.g. {@code gh-1a2b3c4d}. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A registration body with a two-environment chain. */
  public static Map<String, Object> application(
      String name, String provider, String repositoryUrl, String secret) {
    Map<String, Object> body = new HashMap<>();
    body.put("name", name);
    body.put("repositoryUrl", repositoryUrl);
    body.put("provider", provider);
    body.put("webhookSecret", secret);
    body.put(
        "environments",
        List.of(
            Map.of(
                "name", "dev",
                "cluster", "local",
                "namespace", name + "-dev",
                "promotion", "auto",
                "strategy", "rolling"),
            Map.of(
                "name", "prod",
                "cluster", "local",
                "namespace", name + "-prod",
                "promotion", "manual",
                "requiredApprovals", 2,
                "strategy", "canary",
                "canarySteps", List.of(10, 50, 100))));
    body.put("scanPolicy", Map.of("failOn", "high", "ignoreUnfixed", true));
    return body;
  }

  /** Registers {@code body} and checks it was created. */
  public static void register(Map<String, Object> body) {
    given()
        .auth()
        .oauth2(ADMIN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/apps")
        .then()
        .statusCode(201);
  }

  /** Registers an application following every branch and tag of {@code repositoryUrl}. */
  public static void register(String name, String provider, String repositoryUrl, String secret) {
    register(application(name, provider, repositoryUrl, secret));
  }

  /**
   * The example payload {@code file} with its repository {@code acme/shop} renamed to {@code repo}.
   */
  public static String payload(String file, String repo) {
    try (InputStream in = Webhooks.class.getResourceAsStream("/webhooks/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("acme/shop", repo);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The example GitHub push of repository {@code acme/<app>} with a head commit new each time. */
  public static String pushOfANewCommit(String app) {
    try {
      ObjectNode push =
          (ObjectNode) EventJson.mapper().readTree(payload("github-push.json", "acme/" + app));
      String sha = newSha();
      push.put("after", sha);
      ((ObjectNode) push.get("head_commit")).put("id", sha);
      return push.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Posts a signed GitHub push of a commit never pushed before to the own URL of {@code app}
   * (repository {@code acme/<app>}), under a new delivery id.
   */
  public static Response pushNewCommit(String app, String secret) {
    String body = pushOfANewCommit(app);
    return postFor("github", app, body, github("push", UUID.randomUUID().toString(), secret, body));
  }

  /** A random 40-digit commit SHA. */
  public static String newSha() {
    byte[] sha = new byte[20];
    ThreadLocalRandom.current().nextBytes(sha);
    return HexFormat.of().formatHex(sha);
  }

  /** Hex HMAC-SHA256 of {@code body} with {@code secret}. */
  public static String hmac(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The headers GitHub sends with {@code body}. */
  public static Map<String, String> github(
      String event, String delivery, String secret, String body) {
    return Map.of(
        "X-GitHub-Event",
        event,
        "X-GitHub-Delivery",
        delivery,
        "X-GitHub-Hook-ID",
        "498227633",
        "X-Hub-Signature-256",
        "sha256=" + hmac(secret, body),
        "User-Agent",
        "GitHub-Hookshot/5c4a7f2");
  }

  /** The headers GitLab sends with {@code body}. */
  public static Map<String, String> gitlab(String event, String delivery, String token) {
    return Map.of(
        "X-Gitlab-Event",
        event,
        "X-Gitlab-Event-UUID",
        delivery,
        "X-Gitlab-Webhook-UUID",
        "0b2e3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "X-Gitlab-Instance",
        "https://gitlab.example.com",
        "X-Gitlab-Token",
        token,
        "User-Agent",
        "GitLab/18.6.0");
  }

  /** The headers Bitbucket Cloud sends with {@code body}. */
  public static Map<String, String> bitbucket(
      String event, String delivery, String secret, String body) {
    return Map.of(
        "X-Event-Key",
        event,
        "X-Request-UUID",
        delivery,
        "X-Hook-UUID",
        "{7c1d7e5a-2b5c-4f4e-9a3b-8c2d1e0f9a8b}",
        "X-Attempt-Number",
        "1",
        "X-Hub-Signature",
        "sha256=" + hmac(secret, body),
        "User-Agent",
        "Bitbucket-Webhooks/2.0");
  }

  /** The headers Gitea sends with {@code body}. */
  public static Map<String, String> gitea(
      String event, String delivery, String secret, String body) {
    return Map.of(
        "X-Gitea-Event", event,
        "X-Gitea-Event-Type", event,
        "X-Gitea-Delivery", delivery,
        "X-Gitea-Signature", hmac(secret, body),
        "User-Agent", "Go-http-client/1.1");
  }

  /** Posts {@code body} to the host-wide URL {@code /webhooks/<provider>} with {@code headers}. */
  public static Response post(String provider, String body, Map<String, String> headers) {
    return postTo("/webhooks/" + provider, body, headers);
  }

  /** Posts {@code body} to the application's own URL {@code /webhooks/<provider>/<app>}. */
  public static Response postFor(
      String provider, String application, String body, Map<String, String> headers) {
    return postTo("/webhooks/" + provider + "/" + application, body, headers);
  }

  /** Posts {@code body} as JSON to {@code path} with {@code headers}. */
  public static Response postTo(String path, String body, Map<String, String> headers) {
    return given()
        .headers(headers)
        .contentType(ContentType.JSON)
        .body(body.getBytes(StandardCharsets.UTF_8))
        .post(path);
  }
}

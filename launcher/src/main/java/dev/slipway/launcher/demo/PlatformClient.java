package dev.slipway.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Slipway's HTTP APIs as the demo (and the end-to-end test) call them: JSON in, JSON out, a bearer
 * token per call, every answer kept whole (status and body) so a caller can say exactly what a
 * service answered.
 */
public final class PlatformClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Endpoints endpoints;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public PlatformClient(Endpoints endpoints) {
    this.endpoints = endpoints;
  }

  /** The services' base URLs. */
  public Endpoints endpoints() {
    return endpoints;
  }

  /** A GET with {@code token}. */
  public Answer get(String url, String token) {
    return send(request(url, token).GET().build());
  }

  /** A POST of {@code body} (JSON, or nothing when null) with {@code token}. */
  public Answer post(String url, String token, Object body) {
    return send(
        request(url, token).header("Content-Type", "application/json").POST(json(body)).build());
  }

  /** A PUT of {@code body} as JSON with {@code token}. */
  public Answer put(String url, String token, Object body) {
    return send(
        request(url, token).header("Content-Type", "application/json").PUT(json(body)).build());
  }

  /** A POST of raw bytes with the given headers and no token (a Git host's webhook). */
  public Answer postRaw(String url, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return send(request.build());
  }

  private HttpRequest.Builder request(String url, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  private static HttpRequest.BodyPublisher json(Object body) {
    if (body == null) {
      return HttpRequest.BodyPublishers.noBody();
    }
    try {
      return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(
          request.method() + " " + request.uri(), response.statusCode(), response.body());
    } catch (IOException e) {
      throw new PlatformException(
          request.method() + " " + request.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlatformException("interrupted", e);
    }
  }

  /**
   * The base URLs of the five services.
   *
   * @param trigger e.g. {@code http://localhost:8081}
   * @param build e.g. {@code http://localhost:8082}
   * @param scan e.g. {@code http://localhost:8083}
   * @param deploy e.g. {@code http://localhost:8084}
   * @param audit e.g. {@code http://localhost:8085}
   */
  public record Endpoints(String trigger, String build, String scan, String deploy, String audit) {

    /** The services of a local run on their default ports. */
    public static Endpoints local() {
      return new Endpoints(
          "http://localhost:8081",
          "http://localhost:8082",
          "http://localhost:8083",
          "http://localhost:8084",
          "http://localhost:8085");
    }
  }

  /**
   * One answer of a service.
   *
   * @param call the method and URL, for messages
   * @param status the HTTP status
   * @param body the body as text
   */
  public record Answer(String call, int status, String body) {

    /** The body as JSON; a missing node when it is not JSON. */
    public JsonNode json() {
      try {
        return body == null || body.isBlank() ? MissingNode.getInstance() : JSON.readTree(body);
      } catch (IOException e) {
        return MissingNode.getInstance();
      }
    }

    /** This answer, when its status is {@code expected}; otherwise a failure naming both. */
    public Answer expect(int... expected) {
      for (int status : expected) {
        if (this.status == status) {
          return this;
        }
      }
      throw new PlatformException(
          call
              + " answered "
              + status
              + ": "
              + (body.length() > 400 ? body.substring(0, 400) : body),
          null);
    }
  }

  /** A call that did not answer as expected. */
  public static final class PlatformException extends RuntimeException {
    public PlatformException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

package dev.slipway.console.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.console.config.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * HTTP to the five services with the user's own bearer token: every call is asynchronous (a page
 * starts all of its calls at once and waits for them together) and bounded by a short timeout, and
 * every answer becomes an {@link ApiResult}. The one place that knows transport and envelope shapes
 * (a list as a JSON array or as a page {@code {items, next}}, problem+json).
 */
@ApplicationScoped
public class PlatformApi {

  private final HttpClient http;
  private final ObjectMapper json;
  private final ConsoleConfig config;

  public PlatformApi(ConsoleConfig config, ObjectMapper json) {
    this.config = config;
    this.json = json;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** GETs {@code path} of {@code service} and reads the answer as {@code type}. */
  public <T> CompletableFuture<ApiResult<T>> get(
      Service service, String path, String token, Class<T> type) {
    return send(service, request(service, path, token).GET().build())
        .thenApply(answer -> this.<T>read(answer, json.constructType(type)));
  }

  /**
   * GETs a list, whether the service answers a JSON array or a page ({@code {items, next}}, or the
   * older {@code {builds, next}}); the items only, in the service's order.
   */
  public <T> CompletableFuture<ApiResult<List<T>>> list(
      Service service, String path, String token, Class<T> type) {
    JavaType listType = json.getTypeFactory().constructCollectionType(List.class, type);
    return send(service, request(service, path, token).GET().build())
        .thenApply(
            answer ->
                this.<JsonNode>read(answer, json.constructType(JsonNode.class))
                    .map(node -> this.<T>itemsOf(node, listType)));
  }

  /** GETs {@code path} as bytes with its content type (downloads such as SARIF). */
  public CompletableFuture<ApiResult<Download>> download(
      Service service, String path, String token) {
    // A download is whatever the service serves (text/plain, application/sarif+json, ...).
    HttpRequest get = request(service, path, token).setHeader("Accept", "*/*").GET().build();
    return send(service, get)
        .thenApply(
            answer ->
                answer.unreachable() == null && answer.status() / 100 == 2
                    ? ApiResult.of(new Download(answer.contentType(), answer.body()))
                    : ApiResult.<Download>failed(problemOf(answer)));
  }

  /** POSTs {@code body} as JSON (or nothing, when null) and reads the answer as JSON. */
  public CompletableFuture<ApiResult<JsonNode>> post(
      Service service, String path, String token, Object body) {
    HttpRequest.Builder request = request(service, path, token);
    if (body == null) {
      request.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      try {
        request
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
    return send(service, request.build())
        .thenApply(answer -> this.<JsonNode>read(answer, json.constructType(JsonNode.class)));
  }

  /**
   * Follows a Server-Sent Events stream of {@code service} on this thread, handing each event to
   * {@code onEvent} until the stream ends, {@code stop} says so, or {@code maxDuration} passed.
   * Returns the problem when the service refused the stream.
   */
  public ApiResult<Void> follow(
      Service service,
      String path,
      String token,
      Map<String, String> headers,
      Duration maxDuration,
      Consumer<SseEvent> onEvent,
      java.util.function.BooleanSupplier stop) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(service, path))
            .timeout(maxDuration)
            .header("Accept", "text/event-stream")
            .header("Authorization", "Bearer " + token);
    headers.forEach(request::header);
    HttpResponse<Stream<String>> response;
    try {
      response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      return ApiResult.failed(ApiProblem.unreachable(service, describe(e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ApiResult.failed(ApiProblem.unreachable(service, "interrupted"));
    }
    if (response.statusCode() != 200) {
      String body = String.join("\n", response.body().toList());
      return ApiResult.failed(problemOf(service, response.statusCode(), body.getBytes()));
    }
    try (Stream<String> lines = response.body()) {
      SseEvent.Reader reader = new SseEvent.Reader(onEvent);
      var iterator = lines.iterator();
      while (!stop.getAsBoolean() && iterator.hasNext()) {
        reader.line(iterator.next());
      }
    } catch (UncheckedIOException e) {
      // The stream ended early (the service went away, or the time was up): the client resumes.
    }
    return ApiResult.of(null);
  }

  private HttpRequest.Builder request(Service service, String path, String token) {
    return HttpRequest.newBuilder(uri(service, path))
        .timeout(config.requestTimeout())
        .header("Accept", "application/json")
        .header("Authorization", "Bearer " + token);
  }

  private URI uri(Service service, String path) {
    return URI.create(baseOf(service) + path);
  }

  private String baseOf(Service service) {
    ConsoleConfig.Services services = config.services();
    String base =
        switch (service) {
          case TRIGGER -> services.trigger();
          case BUILD -> services.build();
          case SCAN -> services.scan();
          case DEPLOY -> services.deploy();
          case AUDIT -> services.audit();
        };
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  private CompletableFuture<Answer> send(Service service, HttpRequest request) {
    return send(service, request, CallTimings.current().orElse(null));
  }

  private CompletableFuture<Answer> send(
      Service service, HttpRequest request, CallTimings timings) {
    long started = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, failure) -> {
              if (timings != null) {
                timings.add(service, request.uri().getPath(), (System.nanoTime() - started) / 1e6);
              }
            })
        .thenApply(
            response ->
                new Answer(
                    service,
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body(),
                    null))
        .exceptionally(failure -> Answer.unreachable(service, describe(unwrap(failure))));
  }

  private <T> List<T> itemsOf(JsonNode node, JavaType listType) {
    JsonNode items = node;
    if (node.isObject()) {
      items = node.has("items") ? node.get("items") : node.path("builds");
    }
    if (!items.isArray()) {
      return List.of();
    }
    return json.convertValue(items, listType);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static String describe(Throwable failure) {
    if (failure instanceof HttpTimeoutException) {
      return "no answer in time";
    }
    if (failure instanceof java.net.ConnectException) {
      return "connection refused";
    }
    return failure.getClass().getSimpleName()
        + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
  }

  private ApiProblem problemOf(Service service, int status, byte[] body) {
    try {
      JsonNode problem = json.readTree(body);
      if (problem != null && problem.isObject()) {
        return new ApiProblem(
            service,
            status,
            problem.path("title").asText(null),
            problem.path("detail").asText(null));
      }
    } catch (IOException e) {
      // Not JSON: the status speaks for itself.
    }
    return new ApiProblem(service, status, null, null);
  }

  /** A file a service serves, for the browser to download. */
  public record Download(String contentType, byte[] body) {}

  /** One answer of a service, before it is read; {@code unreachable} when there was none. */
  private record Answer(
      Service service, int status, String contentType, byte[] body, String unreachable) {

    static Answer unreachable(Service service, String why) {
      return new Answer(service, 0, "", new byte[0], why);
    }
  }

  private ApiProblem problemOf(Answer answer) {
    return answer.unreachable() != null
        ? ApiProblem.unreachable(answer.service(), answer.unreachable())
        : problemOf(answer.service(), answer.status(), answer.body());
  }

  private <T> ApiResult<T> read(Answer answer, JavaType type) {
    if (answer.unreachable() != null || answer.status() / 100 != 2) {
      return ApiResult.failed(problemOf(answer));
    }
    try {
      T value = answer.body().length == 0 ? null : json.readValue(answer.body(), type);
      return ApiResult.of(value);
    } catch (IOException e) {
      return ApiResult.failed(
          new ApiProblem(
              answer.service(),
              answer.status(),
              "unreadable answer",
              "the console could not read it: " + e.getMessage()));
    }
  }
}

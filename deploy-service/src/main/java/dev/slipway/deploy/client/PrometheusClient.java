package dev.slipway.deploy.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Evaluates a PromQL instant query over Prometheus' HTTP API ({@code GET /api/v1/query}) and reads
 * the one number a canary analysis compares: a scalar, or the one sample of a vector (a vector of
 * several series is refused: the query must aggregate).
 */
@ApplicationScoped
public class PrometheusClient {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  /**
   * The value of {@code query} now.
   *
   * @throws PrometheusException when Prometheus cannot be asked, answers an error, or returns no
   *     number
   */
  public double query(String baseUrl, String query) {
    URI uri =
        URI.create(
            baseUrl.replaceAll("/+$", "")
                + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PrometheusException("Prometheus at " + baseUrl + " cannot be reached: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PrometheusException("interrupted while asking Prometheus");
    }
    JsonNode body;
    try {
      body = json.readTree(response.body());
    } catch (IOException e) {
      throw new PrometheusException(
          "Prometheus answered HTTP " + response.statusCode() + " without a JSON body");
    }
    if (!"success".equals(body.path("status").asText())) {
      throw new PrometheusException(
          "Prometheus answered "
              + body.path("errorType").asText("HTTP " + response.statusCode())
              + ": "
              + body.path("error").asText(""));
    }
    JsonNode data = body.path("data");
    if ("vector".equals(data.path("resultType").asText()) && data.path("result").size() > 1) {
      throw new PrometheusException(
          "the query returned "
              + data.path("result").size()
              + " series, not one number; aggregate it (sum, avg, max …)");
    }
    JsonNode value =
        switch (data.path("resultType").asText()) {
          case "scalar" -> data.path("result");
          case "vector" -> data.path("result").path(0).path("value");
          default -> null;
        };
    if (value == null || !value.isArray() || value.size() < 2) {
      throw new PrometheusException("the query returned no data");
    }
    try {
      return Double.parseDouble(value.get(1).asText());
    } catch (NumberFormatException e) {
      throw new PrometheusException(
          "the query returned " + value.get(1).asText() + ", not a number");
    }
  }

  /** Prometheus could not give a number. */
  public static class PrometheusException extends RuntimeException {

    public PrometheusException(String message) {
      super(message, null, false, false);
    }
  }
}

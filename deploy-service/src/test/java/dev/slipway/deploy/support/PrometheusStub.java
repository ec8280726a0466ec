package dev.slipway.deploy.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small HTTP server speaking Prometheus' instant-query API ({@code GET /api/v1/query?query=}): it
 * answers the value a test set for a query as a one-sample vector, and an empty vector for any
 * other query, in the JSON Prometheus itself returns.
 */
public final class PrometheusStub implements AutoCloseable {

  private final HttpServer server;
  private final Map<String, Double> values = new ConcurrentHashMap<>();
  private final Map<String, Integer> asked = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  public PrometheusStub() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/api/v1/query",
        exchange -> {
          String raw = exchange.getRequestURI().getRawQuery();
          String query = "";
          for (String pair : raw == null ? new String[0] : raw.split("&")) {
            if (pair.startsWith("query=")) {
              query = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
            }
          }
          asked.merge(query, 1, Integer::sum);
          Integer failing = failures.computeIfPresent(query, (q, n) -> n > 0 ? n - 1 : null);
          if (failing != null) {
            byte[] error =
                "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"query timed out in queue\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(503, error.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(error);
            }
            return;
          }
          Double value = values.get(query);
          String result =
              value == null
                  ? "[]"
                  : "[{\"metric\":{},\"value\":[%d.123,\"%s\"]}]"
                      .formatted(System.currentTimeMillis() / 1000, value);
          byte[] body =
              ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                      + result
                      + "}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** The base URL to configure as a cluster's Prometheus. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** From now on {@code query} evaluates to {@code value}. */
  public void answer(String query, double value) {
    values.put(query, value);
  }

  /** The next {@code times} evaluations of {@code query} fail as an overloaded Prometheus does. */
  public void failNext(String query, int times) {
    failures.put(query, times);
  }

  /** How often {@code query} was asked. */
  public int timesAsked(String query) {
    return asked.getOrDefault(query, 0);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package dev.slipway.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test double of the OCI 1.1 referrers API in front of the real registry ({@link OciRegistry}):
 * Debian's Distribution 2.8 has no referrers API and no registry on this machine has one, so this
 * proxy adds it as the distribution spec describes and passes everything else to the real registry.
 * A manifest pushed with a {@code subject} is indexed and answered with {@code OCI-Subject}; {@code
 * GET /v2/<name>/referrers/<digest>} returns the image index of its referrers ({@code artifactType}
 * filter applied). Storage stays the real registry's.
 */
public final class ReferrersApiProxy implements AutoCloseable {

  private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");
  private static final Pattern REFERRERS =
      Pattern.compile("^/v2/(.+)/referrers/(sha256:[0-9a-f]{64})$");
  private static final Set<String> HOP_BY_HOP =
      Set.of("host", "connection", "content-length", "transfer-encoding", "upgrade", "expect");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final String upstream;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, List<ObjectNode>> referrers = new ConcurrentHashMap<>();

  private ReferrersApiProxy(String upstream) throws IOException {
    this.upstream = upstream;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A proxy in front of the test JVM's registry; close it when done. */
  public static ReferrersApiProxy start() {
    try {
      return new ReferrersApiProxy(OciRegistry.address());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:<port>} of the proxy: a registry with the referrers API. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Matcher referrersPath = REFERRERS.matcher(path);
      if ("GET".equals(exchange.getRequestMethod()) && referrersPath.matches()) {
        answerReferrers(exchange, referrersPath.group(1), referrersPath.group(2));
        return;
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder forward =
          HttpRequest.newBuilder(URI.create("http://" + upstream + exchange.getRequestURI()))
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                  values.forEach(v -> forward.header(name, v));
                }
              });
      HttpResponse<InputStream> response =
          http.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
      response
          .headers()
          .map()
          .forEach(
              (name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                  exchange.getResponseHeaders().put(name, values);
                }
              });
      Matcher manifestPath = MANIFEST.matcher(path);
      if ("PUT".equals(exchange.getRequestMethod())
          && manifestPath.matches()
          && response.statusCode() == 201) {
        String subject = index(manifestPath.group(1), body, response);
        if (subject != null) {
          exchange.getResponseHeaders().set("OCI-Subject", subject);
        }
      }
      byte[] answer;
      try (InputStream in = response.body()) {
        answer = in.readAllBytes();
      }
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(
          response.statusCode(), head || answer.length == 0 ? -1 : answer.length);
      if (!head && answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String index(String repository, byte[] manifest, HttpResponse<?> response) {
    JsonNode tree;
    try {
      tree = JSON.readTree(manifest);
    } catch (IOException e) {
      return null;
    }
    String subject = tree.path("subject").path("digest").asText(null);
    if (subject == null) {
      return null;
    }
    ObjectNode descriptor = JSON.createObjectNode();
    descriptor.put("mediaType", tree.path("mediaType").asText());
    descriptor.put("digest", response.headers().firstValue("Docker-Content-Digest").orElse(""));
    descriptor.put("size", manifest.length);
    descriptor.put(
        "artifactType",
        tree.path("artifactType").asText(tree.path("config").path("mediaType").asText()));
    if (tree.has("annotations")) {
      descriptor.set("annotations", tree.get("annotations"));
    }
    referrers
        .computeIfAbsent(repository + "@" + subject, k -> new CopyOnWriteArrayList<>())
        .add(descriptor);
    return subject;
  }

  private void answerReferrers(HttpExchange exchange, String repository, String digest)
      throws IOException {
    String query = exchange.getRequestURI().getQuery();
    String filter =
        query != null && query.startsWith("artifactType=")
            ? URLDecoder.decode(query.substring(13), StandardCharsets.UTF_8)
            : null;
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OciRegistry.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    referrers.getOrDefault(repository + "@" + digest, List.of()).stream()
        .filter(d -> filter == null || filter.equals(d.path("artifactType").asText()))
        .forEach(manifests::add);
    byte[] body = JSON.writeValueAsBytes(index);
    exchange.getResponseHeaders().set("Content-Type", OciRegistry.OCI_INDEX);
    if (filter != null) {
      exchange.getResponseHeaders().set("OCI-Filters-Applied", "artifactType");
    }
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}

package dev.slipway.console.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.console.session.TestKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The five services as one loopback HTTP server answering what the applications page asks: one
 * application whose environments a test sets, a successful release per environment (its rollout id
 * names the environment), no approvals, no builds, no drift. Every request is recorded with the
 * user its bearer token names.
 */
public class FakeServices implements QuarkusTestResourceLifecycleManager {

  /** One request: the path with its query, and the token's subject. */
  public record Call(String path, String user) {}

  static final List<Call> CALLS = new CopyOnWriteArrayList<>();
  private static volatile List<String> environments = List.of("dev");
  private static final Pattern RELEASES =
      Pattern.compile("/api/apps/shop/environments/([a-z]+)/releases");
  private static final Pattern SUBJECT = Pattern.compile("\"(?:upn|sub)\"\\s*:\\s*\"([^\"]+)\"");

  private HttpServer server;

  /** The environments the application has from now on. */
  static void environments(String... names) {
    environments = List.of(names);
  }

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", FakeServices::answer);
    server.start();
    String here = "http://127.0.0.1:" + server.getAddress().getPort();
    return Map.of(
        "slipway.console.session.key", ConsoleTestProfile.SESSION_KEY,
        "slipway.console.session.public-key-location", TestKeys.publicKeyLocation(),
        "slipway.console.services.trigger", here,
        "slipway.console.services.build", here,
        "slipway.console.services.scan", here,
        "slipway.console.services.deploy", here,
        "slipway.console.services.audit", here);
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String query = exchange.getRequestURI().getRawQuery();
    CALLS.add(new Call(query == null ? path : path + "?" + query, userOf(exchange)));
    Matcher releases = RELEASES.matcher(path);
    String body;
    if (path.equals("/api/apps")) {
      body =
          "{\"items\":[{\"name\":\"shop\",\"environments\":["
              + environments.stream()
                  .map(env -> "{\"name\":\"" + env + "\",\"promotion\":\"AUTOMATIC\"}")
                  .collect(Collectors.joining(","))
              + "]}],\"next\":null}";
    } else if (releases.matches()) {
      String env = releases.group(1);
      body =
          "[{\"revision\":1,\"rolloutId\":\"rollout-of-"
              + env
              + "\",\"imageDigest\":\"sha256:0123456789abcdef\",\"commitSha\":\"c0ffee\","
              + "\"status\":\"SUCCEEDED\"}]";
    } else if (path.equals("/api/approvals") || path.equals("/api/builds")) {
      body = "[]";
    } else {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static String userOf(HttpExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return "";
    }
    String[] parts = authorization.substring(7).split("\\.");
    if (parts.length < 2) {
      return "";
    }
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    Matcher subject = SUBJECT.matcher(claims);
    return subject.find() ? subject.group(1) : "";
  }
}

package dev.slipway.e2e;

import dev.slipway.launcher.console.ConsoleLinks;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.testsupport.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The console's packaged jar as a process next to a {@link PlatformUnderTest}, configured as {@code
 * ./slipway up} configures it: the five services' URLs, a session key of its own, the token key the
 * services trust. Signs users in with one-time links made the way the launcher makes them.
 */
final class ConsoleUnderTest implements AutoCloseable {

  private final Process process;
  private final int port;
  private final String sessionKey;

  private ConsoleUnderTest(Process process, int port, String sessionKey) {
    this.process = process;
    this.port = port;
    this.sessionKey = sessionKey;
  }

  /** Starts the console against {@code services} and waits until it is ready. */
  static ConsoleUnderTest start(PlatformClient.Endpoints services) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String sessionKey = Base64.getEncoder().encodeToString(key);
    int port = freePort();
    Path top = Path.of("..").toAbsolutePath().normalize();
    Path log = Path.of("target", "e2e", "console.log").toAbsolutePath();
    ProcessBuilder builder =
        new ProcessBuilder(
            "java",
            "-Xmx256m",
            "-jar",
            top.resolve("console/target/quarkus-app/quarkus-run.jar").toString());
    builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
    builder.environment().put("SLIPWAY_CONSOLE_TRIGGER_URL", services.trigger());
    builder.environment().put("SLIPWAY_CONSOLE_BUILD_URL", services.build());
    builder.environment().put("SLIPWAY_CONSOLE_SCAN_URL", services.scan());
    builder.environment().put("SLIPWAY_CONSOLE_DEPLOY_URL", services.deploy());
    builder.environment().put("SLIPWAY_CONSOLE_AUDIT_URL", services.audit());
    builder.environment().put("SLIPWAY_CONSOLE_SESSION_KEY", sessionKey);
    builder.environment().put("SLIPWAY_JWT_PUBLIC_KEY", TestTokens.publicKeyLocation());
    builder.redirectErrorStream(true);
    try {
      Files.createDirectories(log.getParent());
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      ConsoleUnderTest console = new ConsoleUnderTest(builder.start(), port, sessionKey);
      console.awaitReady(log);
      return console;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the console", e);
    }
  }

  /** The console's base URL, as a browser reaches it ({@code localhost} counts as secure). */
  String url() {
    return "http://localhost:" + port;
  }

  /** A one-time sign-in link for {@code user} with {@code roles}, as {@code ./slipway} prints. */
  String signInLink(String user, List<String> roles) {
    String token = TestTokens.token(user, roles.toArray(String[]::new));
    return ConsoleLinks.link(url(), ConsoleLinks.ticket(sessionKey, token, Duration.ofMinutes(5)));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady(Path log) {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the console exited, see " + log);
      }
      try {
        int status =
            http.send(
                    HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (status == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the console was not ready within 60 s, see " + log);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

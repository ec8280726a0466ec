package dev.slipway.launcher.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The settings of {@code ./slipway up}'s platform: the checkout and its {@code .slipway/} folder,
 * the fixed local ports, Kafka and PostgreSQL in containers of that folder, the loopback registry
 * (or {@code SLIPWAY_REGISTRY}), the sandbox (or {@code --kubeconfig}). What {@code up} was given
 * is kept in {@code run/up.properties}, so {@code restart} starts a service exactly as {@code up}
 * did.
 */
public final class LocalPlatform {

  private static final String REMEMBERED = "up.properties";

  private LocalPlatform() {}

  /** The checkout ({@code -Dslipway.top}, set by {@code ./slipway}). */
  public static Path top() {
    return Path.of(System.getProperty("slipway.top", ".")).toAbsolutePath().normalize();
  }

  /** The state folder ({@code -Dslipway.state}, default {@code TOP/.slipway}). */
  public static Path state() {
    return Path.of(System.getProperty("slipway.state", top().resolve(".slipway").toString()))
        .toAbsolutePath()
        .normalize();
  }

  /** The containers of this state folder; the images only matter when they are created. */
  public static LocalContainers containers(PrintStream out) {
    return new LocalContainers(
        state(),
        env("SLIPWAY_TEST_KAFKA_IMAGE", "apache/kafka:4.1.2"),
        env("SLIPWAY_TEST_POSTGRES_IMAGE", "postgres:15"),
        env("SLIPWAY_DB_PASSWORD", "slipway"),
        out);
  }

  /**
   * The settings for {@code up}, remembered for later commands.
   *
   * @param kubeconfig a real cluster's kubeconfig; empty: the sandbox
   */
  public static PlatformSettings forUp(Optional<Path> kubeconfig, Infrastructure infrastructure) {
    String registry = env("SLIPWAY_REGISTRY", "127.0.0.1:" + env("SLIPWAY_REGISTRY_PORT", "5000"));
    Properties remembered = new Properties();
    remembered.setProperty("registry", registry);
    kubeconfig.ifPresent(k -> remembered.setProperty("kubeconfig", k.toString()));
    Path file = new PlatformLayout(top(), state()).run().resolve(REMEMBERED);
    try {
      Files.createDirectories(file.getParent());
      try (Writer writer = Files.newBufferedWriter(file)) {
        remembered.store(
            writer, "what ./slipway up was given; restart starts services the same way");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return settings(registry, kubeconfig, infrastructure);
  }

  /** The settings the last {@code up} ran with (its defaults when there was none). */
  public static PlatformSettings remembered(Infrastructure infrastructure) {
    Properties remembered = new Properties();
    Path file = new PlatformLayout(top(), state()).run().resolve(REMEMBERED);
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file)) {
        remembered.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String registry =
        remembered.getProperty("registry", "127.0.0.1:" + env("SLIPWAY_REGISTRY_PORT", "5000"));
    return settings(
        registry,
        Optional.ofNullable(remembered.getProperty("kubeconfig")).map(Path::of),
        infrastructure);
  }

  private static PlatformSettings settings(
      String registry, Optional<Path> kubeconfig, Infrastructure infrastructure) {
    PlatformLayout layout = new PlatformLayout(top(), state());
    boolean loopback = registry.startsWith("127.") || registry.startsWith("localhost");
    return new PlatformSettings(
        layout,
        PortPlan.local(Integer.parseInt(env("SLIPWAY_SANDBOX_PORT", "6443"))),
        infrastructure,
        new PlatformSettings.Registry(registry, loopback),
        kubeconfig,
        "file:" + state().resolve("jwt/public-key.pem"),
        Optional.empty(),
        JvmOptions.laptop(),
        Duration.ofSeconds(120),
        Map.of());
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}

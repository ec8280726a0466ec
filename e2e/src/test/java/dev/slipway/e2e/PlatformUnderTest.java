package dev.slipway.e2e;

import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.launcher.platform.Infrastructure;
import dev.slipway.launcher.platform.JvmOptions;
import dev.slipway.launcher.platform.Platform;
import dev.slipway.launcher.platform.PlatformLayout;
import dev.slipway.launcher.platform.PlatformService;
import dev.slipway.launcher.platform.PlatformSettings;
import dev.slipway.launcher.platform.PortPlan;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The whole platform as {@code ./slipway up} runs it, through the same topology ({@link Platform}):
 * the five services' packaged jars, the sandbox Kubernetes API and a loopback registry as
 * processes, against the real Kafka broker and PostgreSQL server of {@link SlipwayInfrastructure}.
 * Only the settings differ: free ports, the state folder {@code target/e2e/} (each process logs to
 * {@code target/e2e/logs/<name>.log}), the test run's token key, pods ready after 300 ms, and
 * shorter leases.
 */
final class PlatformUnderTest {

  private static final Path STATE = Path.of("target", "e2e");

  /**
   * Leases of 10 s (relays' 5 s) instead of 30-60 s: work a SIGKILLed service held is taken over
   * that much sooner, so the kill scenarios settle in seconds, not a minute. Renewals and the stop
   * before a lease can pass on scale with the lease (a third, a quarter of it); fencing does not
   * depend on its length.
   */
  private static final Map<String, String> SHORT_LEASES =
      Map.of(
          "SLIPWAY_BUILD_LEASE", "10s",
          "SLIPWAY_SCAN_WORKER_LEASE", "10s",
          "SLIPWAY_DEPLOY_ROLLOUTS_LEASE", "10s",
          "SLIPWAY_TRIGGER_OUTBOX_LEASE_DURATION", "5s",
          "SLIPWAY_BUILD_OUTBOX_LEASE_DURATION", "5s",
          "SLIPWAY_SCAN_OUTBOX_LEASE_DURATION", "5s",
          "SLIPWAY_DEPLOY_OUTBOX_LEASE_DURATION", "5s");

  private static PlatformUnderTest shared;

  private final Platform platform;

  private PlatformUnderTest(Platform platform) {
    this.platform = platform;
  }

  /**
   * The one platform of this test JVM, started by the first test class that asks for it and stopped
   * when the JVM exits: the end-to-end classes run one after another on it (each with applications
   * of its own), so the run pays one platform start, not one per class. Every service is running
   * when this returns, whatever the class before killed.
   */
  static synchronized PlatformUnderTest shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "platform-under-test-stop"));
    } else {
      shared.platform.start();
    }
    return shared;
  }

  /** Starts everything and waits until every service is ready. */
  private static PlatformUnderTest start() {
    PlatformSettings settings =
        new PlatformSettings(
            new PlatformLayout(Path.of(".."), STATE),
            PortPlan.free(),
            new TestInfrastructure(),
            new PlatformSettings.Registry("127.0.0.1:" + PortPlan.freePort(), true),
            Optional.empty(),
            TestTokens.publicKeyLocation(),
            Optional.of(Duration.ofMillis(300)),
            JvmOptions.defaults(),
            Duration.ofSeconds(120),
            SHORT_LEASES);
    Platform platform = new Platform(settings, progress());
    // Processes a crashed earlier run left behind are not this run's.
    platform.close();
    try {
      Files.createDirectories(settings.layout().git());
      platform.start();
      return new PlatformUnderTest(platform);
    } catch (IOException e) {
      platform.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    }
  }

  /** The topology itself: kill, start, report. */
  Platform platform() {
    return platform;
  }

  /** Where the demo's repositories go: build-service may clone {@code file://} URLs only there. */
  Path gitRoot() {
    return platform.settings().layout().git();
  }

  /** The kubeconfig of the sandbox cluster deploy-service deploys to. */
  Path kubeconfig() {
    return platform.kubeconfig();
  }

  /** The services' URLs. */
  PlatformClient.Endpoints endpoints() {
    return platform.endpoints();
  }

  /** Kills {@code service} at once (SIGKILL: no shutdown hook runs) and waits until it is gone. */
  void kill(String service) {
    platform.kill(PlatformService.named(service).orElseThrow());
  }

  /** Starts {@code service} again on its port and waits until it is ready. */
  void restart(String service) {
    platform.startService(PlatformService.named(service).orElseThrow());
  }

  /** The resident memory of every process, in MB. */
  Map<String, Long> residentMegabytes() {
    Map<String, Long> rss = new LinkedHashMap<>();
    for (Platform.ProcessReport process : platform.report()) {
      rss.put(process.name(), process.residentMb().orElse(-1));
    }
    return rss;
  }

  private void close() {
    platform.close();
  }

  /** Progress lines to the test's output, as {@code ./slipway up} prints them. */
  private static PrintStream progress() {
    return new PrintStream(System.out, true, StandardCharsets.UTF_8);
  }

  /** Kafka and PostgreSQL of this test JVM (Testcontainers), as the topology sees them. */
  static final class TestInfrastructure implements Infrastructure {

    @Override
    public String kafkaBootstrap() {
      return SlipwayInfrastructure.bootstrapServers();
    }

    @Override
    public Postgres postgres() {
      SlipwayInfrastructure.PostgresServer postgres = SlipwayInfrastructure.postgres();
      return new Postgres(
          postgres.host(), postgres.port(), postgres.username(), postgres.password());
    }
  }
}

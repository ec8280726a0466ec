package dev.slipway.launcher.platform;

import dev.slipway.launcher.ConsoleLinkCommand;
import dev.slipway.launcher.TokenCommand;
import dev.slipway.launcher.demo.DemoCommand;
import dev.slipway.launcher.demo.DemoRefusals;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@code ./slipway up | down | restart SERVICE|console | kill SERVICE|console | demo}, and the
 * loopback registry of {@code ./slipway images}: the local platform through {@link Platform}. The
 * script only bootstraps (packages, Docker, images, the builds) and hands over here.
 */
public final class PlatformCommand {

  private static final PrintStream OUT = System.err;

  /** The web console's port in a local run. */
  static final int CONSOLE_PORT = 8080;

  private static final List<String> RESET =
      List.of("registry", "git", "build", "sandbox", "demo", "logs");

  private PlatformCommand() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "help" : args[0];
    List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
    int exit;
    try {
      exit =
          switch (command) {
            case "up" -> up(rest);
            case "down" -> down();
            case "restart" ->
                isConsole(rest) ? restartConsole() : restart(service(rest, "restart"));
            case "kill" -> isConsole(rest) ? killConsole() : kill(service(rest, "kill"));
            case "demo" -> demo();
            case "registry" -> registry(rest);
            default -> {
              OUT.println(
                  "usage: PlatformCommand up|down|restart SERVICE|console|kill SERVICE|console|demo");
              yield 2;
            }
          };
    } catch (PlatformException | UncheckedIOException e) {
      say(e.getMessage());
      exit = 1;
    } catch (IllegalArgumentException e) {
      say(e.getMessage());
      exit = 2;
    }
    System.exit(exit);
  }

  private static int up(List<String> args) {
    boolean demo = false;
    boolean detach = false;
    boolean reset = false;
    Optional<Path> kubeconfig =
        Optional.ofNullable(System.getenv("SLIPWAY_KUBECONFIG"))
            .filter(s -> !s.isBlank())
            .map(Path::of);
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--demo" -> demo = true;
        case "--detach" -> detach = true;
        case "--reset" -> reset = true;
        case "--kubeconfig" -> {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException("--kubeconfig needs a file");
          }
          kubeconfig = Optional.of(Path.of(args.get(++i)).toAbsolutePath());
        }
        default ->
            throw new IllegalArgumentException(
                "unknown option '"
                    + args.get(i)
                    + "' (up takes --demo, --detach, --reset, --kubeconfig FILE)");
      }
    }
    LocalContainers containers = LocalPlatform.containers(OUT);
    Platform platform = new Platform(LocalPlatform.forUp(kubeconfig, containers), OUT);
    // Ctrl-C while starting stops what was started; once up in the foreground, it stops the
    // platform too.
    AtomicBoolean stopOnExit = new AtomicBoolean(true);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (stopOnExit.get()) {
                    OUT.println();
                    say("interrupted: stopping everything");
                    platform.close();
                    containers.stop();
                  }
                },
                "slipway-stop"));
    String consoleUrl;
    try {
      if (reset) {
        say(
            "--reset: removing the containers, the registry's images, demo repositories and build"
                + " state");
        platform.close();
        containers.remove();
        RESET.forEach(dir -> delete(LocalPlatform.state().resolve(dir)));
      }
      viewerToken("slipway");
      containers.start();
      platform.start();
    } catch (RuntimeException e) {
      say(e.getMessage());
      return 1;
    }
    try {
      consoleUrl = platform.startConsole(CONSOLE_PORT);
    } catch (RuntimeException e) {
      // The pipeline does not need the console: the platform stays up, the user is told why not.
      say("the web console did not start (%s); the platform runs without it", e.getMessage());
      consoleUrl = null;
    }
    say("Slipway is up; logs in %s", platform.settings().layout().logs());
    OUT.print(platform.reportTable());
    printUrls(platform);
    if (consoleUrl != null) {
      printConsole(consoleUrl);
    }
    if (demo) {
      stopOnExit.set(false);
      return DemoCommand.run(LocalPlatform.state(), demoLocal(platform.settings()), System.out);
    }
    if (detach) {
      stopOnExit.set(false);
      say("running in the background; ./slipway down stops it");
      return 0;
    }
    say("running; Ctrl-C (or ./slipway down from another shell) stops everything");
    while (platform.allRunning()) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopOnExit.set(false);
    say("a service exited; see %s; stopping everything", platform.settings().layout().logs());
    platform.close();
    containers.stop();
    return 1;
  }

  private static int down() {
    LocalContainers containers = LocalPlatform.containers(OUT);
    new Platform(LocalPlatform.remembered(containers), OUT).close();
    if (LocalContainers.dockerAvailable()) {
      containers.stop();
    }
    return 0;
  }

  private static int restart(PlatformService service) {
    Platform platform = new Platform(LocalPlatform.remembered(LocalPlatform.containers(OUT)), OUT);
    platform.restart(service);
    OUT.print(platform.reportTable());
    return 0;
  }

  private static int kill(PlatformService service) {
    Platform platform = new Platform(LocalPlatform.remembered(LocalPlatform.containers(OUT)), OUT);
    if (platform.kill(service)) {
      say("killed %s (SIGKILL); ./slipway restart %s starts it again", service, service);
    } else {
      say("%s was not running", service);
    }
    return 0;
  }

  private static boolean isConsole(List<String> args) {
    return !args.isEmpty() && args.get(0).equals(Platform.CONSOLE);
  }

  private static int restartConsole() {
    Platform platform = new Platform(LocalPlatform.remembered(LocalPlatform.containers(OUT)), OUT);
    if (!platform.allRunning()) {
      say("Slipway is not running: ./slipway up starts it and the console");
      return 1;
    }
    say("the console is at %s/", platform.restartConsole(CONSOLE_PORT));
    return 0;
  }

  private static int killConsole() {
    Platform platform = new Platform(LocalPlatform.remembered(LocalPlatform.containers(OUT)), OUT);
    if (platform.killConsole()) {
      say("killed the console (SIGKILL); ./slipway restart console starts it again");
    } else {
      say("the console was not running");
    }
    return 0;
  }

  private static int demo() {
    Platform platform = new Platform(LocalPlatform.remembered(LocalPlatform.containers(OUT)), OUT);
    if (!platform.allRunning()) {
      say("Slipway is not running: ./slipway up --demo starts it and runs the demo");
      return 1;
    }
    return DemoCommand.run(LocalPlatform.state(), demoLocal(platform.settings()), System.out);
  }

  /** What the demo reaches besides the APIs, of the platform {@code ./slipway up} last started. */
  public static DemoRefusals.Local demoLocal() {
    return demoLocal(LocalPlatform.remembered(LocalPlatform.containers(OUT)));
  }

  private static DemoRefusals.Local demoLocal(PlatformSettings settings) {
    return new DemoRefusals.Local(
        settings.infrastructure().kafkaBootstrap(),
        settings.registry().address(),
        settings.registry().insecure(),
        settings.clusterKubeconfig());
  }

  /** {@code registry ADDRESS}: a loopback registry for {@code ./slipway images}, left running. */
  private static int registry(List<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("usage: registry 127.0.0.1:PORT");
    }
    String address = args.get(0);
    Platform platform = new Platform(LocalPlatform.remembered(LocalPlatform.containers(OUT)), OUT);
    boolean standard = address.equals(platform.settings().registry().address());
    String port = address.substring(address.lastIndexOf(':') + 1);
    platform.startRegistry(
        address,
        standard ? Platform.REGISTRY : Platform.REGISTRY + "-" + port,
        LocalPlatform.state().resolve(standard ? "registry" : "registry-" + port));
    return 0;
  }

  private static PlatformService service(List<String> args, String command) {
    String names =
        String.join(
            ", ", Stream.of(PlatformService.values()).map(PlatformService::module).toList());
    if (args.isEmpty()) {
      throw new IllegalArgumentException("usage: slipway " + command + " SERVICE (" + names + ")");
    }
    return PlatformService.named(args.get(0))
        .orElseThrow(
            () -> new IllegalArgumentException("no service " + args.get(0) + " (" + names + ")"));
  }

  private static void printUrls(Platform platform) {
    PlatformSettings settings = platform.settings();
    String viewer = viewerToken(System.getProperty("user.name", "slipway") + "-viewer");
    OUT.printf(
        """
        [slipway]   webhooks    %1$s/webhooks/{github|gitlab|bitbucket|gitea}/{application}
        [slipway]   apps        %1$s/api/apps
        [slipway]   builds      %2$s/api/builds
        [slipway]   scans       %3$s/api/scans
        [slipway]   rollouts    %4$s/api/rollouts   approvals: /api/approvals
        [slipway]   audit       %5$s/api/audit/events
        [slipway]   registry    http://%6$s/v2/   sandbox Kubernetes API: %7$s
        [slipway] a viewer token (./slipway token --role R --user U makes others):
        %8$s
        """,
        local(platform, PlatformService.TRIGGER),
        local(platform, PlatformService.BUILD),
        local(platform, PlatformService.SCAN),
        local(platform, PlatformService.DEPLOY),
        local(platform, PlatformService.AUDIT),
        settings.registry().address(),
        settings.clusterKubeconfig(),
        viewer);
  }

  /** The console's URL and a one-time sign-in link for whoever ran {@code up}. */
  private static void printConsole(String consoleUrl) {
    String user = System.getProperty("user.name", "slipway");
    List<String> roles = List.of("viewer", "approver", "auditor");
    try {
      String link = ConsoleLinkCommand.link(LocalPlatform.state(), consoleUrl, user, roles, OUT);
      OUT.printf(
          """
          [slipway]   console     %s/
          [slipway] sign in to the console as %s (%s) with this one-time link, valid 5 minutes
          [slipway] (./slipway console-link --user U --role R makes others):
          %s
          """,
          consoleUrl, user, String.join(", ", roles), link);
    } catch (IOException | GeneralSecurityException e) {
      throw new PlatformException("cannot make a console sign-in link: " + e.getMessage(), e);
    }
  }

  private static String local(Platform platform, PlatformService service) {
    return "http://localhost:" + platform.settings().ports().of(service);
  }

  /** A viewer token for {@code user}; makes the local signing key pair on first use. */
  private static String viewerToken(String user) {
    try {
      return TokenCommand.sign(
          TokenCommand.keyDir(), user, Set.of("viewer"), Duration.ofHours(8), OUT);
    } catch (IOException | GeneralSecurityException e) {
      throw new PlatformException("cannot make the token signing key: " + e.getMessage(), e);
    }
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }

  private static void say(String format, Object... args) {
    OUT.println("[slipway] " + (args.length == 0 ? format : String.format(format, args)));
  }
}

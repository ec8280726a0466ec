package dev.slipway.build.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testsupport.SlipwayInfrastructure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The steps' filter lands in the build's own network namespace or nowhere (issue 17). Loaded into
 * this host's namespace it would cut the node off its private networks (the database, the broker,
 * the cluster): a namespace that is gone, was never one, or is this host's under a build's name
 * fails the build instead; and this host keeps its own reach while build networks come and go.
 */
class BuildNetworkIT {

  /** A harmless table (it accepts everything) to find out where a filter lands. */
  private static final String PROBE =
      """
      table inet slipway_probe {
        chain output {
          type filter hook output priority 0; policy accept;
        }
      }
      """;

  @Test
  void filterRefusesThisHostsNamespaceUnderABuildsName() throws Exception {
    String name = "slipway-test-host-" + UUID.randomUUID().toString().substring(0, 8);
    // /run/netns/NAME made to be this very process's network namespace (what a mix-up of names,
    // or a path swapped between creation and use, would leave).
    run("ip", "netns", "attach", name, Long.toString(ProcessHandle.current().pid()));
    try {
      assertThatThrownBy(() -> BuildNetwork.applyFilter(name, PROBE))
          .isInstanceOf(ContainerException.class)
          .hasMessageContaining("this host");
      assertThatThrownBy(() -> BuildNetwork.requireOwnNamespace(name))
          .isInstanceOf(ContainerException.class)
          .hasMessageContaining("this host");
      assertThat(hostTables()).doesNotContain("slipway");
    } finally {
      // Removes the name only; the namespace is this process's and lives on.
      run("ip", "netns", "delete", name);
      removeProbeFromHost();
    }
  }

  @Test
  void filterFailsWhenTheNamespaceIsGoneOrNoNamespace() throws Exception {
    String deleted = "slipway-test-gone-" + UUID.randomUUID().toString().substring(0, 8);
    run("ip", "netns", "add", deleted);
    run("ip", "netns", "delete", deleted);
    Path plain =
        Path.of("/run/netns", "slipway-test-file-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createFile(plain);
    try {
      assertThatThrownBy(() -> BuildNetwork.applyFilter(deleted, PROBE))
          .isInstanceOf(ContainerException.class);
      assertThatThrownBy(() -> BuildNetwork.requireOwnNamespace(deleted))
          .isInstanceOf(ContainerException.class)
          .hasMessageContaining("is gone");
      assertThatThrownBy(() -> BuildNetwork.applyFilter(plain.getFileName().toString(), PROBE))
          .isInstanceOf(ContainerException.class);
      assertThat(hostTables()).doesNotContain("slipway");
    } finally {
      Files.deleteIfExists(plain);
      removeProbeFromHost();
    }
  }

  @Test
  void filterLandsInTheBuildsNamespace() throws Exception {
    String name = "slipway-test-own-" + UUID.randomUUID().toString().substring(0, 8);
    run("ip", "netns", "add", name);
    try {
      BuildNetwork.applyFilter(name, PROBE);
      BuildNetwork.requireOwnNamespace(name);
      assertThat(run("ip", "netns", "exec", name, "nft", "list", "tables"))
          .contains("table inet slipway_probe");
      assertThat(hostTables()).doesNotContain("slipway");
    } finally {
      run("ip", "netns", "delete", name);
      removeProbeFromHost();
    }
  }

  @Test
  void hostKeepsItsReachWhileBuildNetworksComeAndGo() throws Exception {
    int mapped = SlipwayInfrastructure.postgres().port();
    String bridge = SlipwayInfrastructure.postgresBridgeAddress();
    assertThat(connects(bridge, 5432)).as(bridge + ":5432 before").isTrue();
    String prefix = "slipway-test-" + UUID.randomUUID().toString().substring(0, 6) + "-";
    ExecutorService builds = Executors.newFixedThreadPool(2);
    List<Future<?>> running = new ArrayList<>();
    for (int worker = 0; worker < 2; worker++) {
      String workerPrefix = prefix + worker + "-";
      running.add(
          builds.submit(
              () -> {
                for (int build = 0; build < 6; build++) {
                  BuildNetwork network =
                      BuildNetwork.open(workerPrefix + build, List.of(), List.of(), false);
                  // As the steps stage ends (torn down in the background) and as a build that
                  // never reached its steps ends (at once).
                  if (build % 2 == 0) {
                    network.closeInBackground();
                  } else {
                    network.close();
                  }
                }
                return null;
              }));
    }
    builds.shutdown();
    int attempts = 0;
    List<String> refused = new ArrayList<>();
    while (!builds.isTerminated() || attempts < 10) {
      attempts++;
      if (!connects(bridge, 5432)) {
        refused.add(bridge + ":5432");
      }
      if (!connects("127.0.0.1", mapped)) {
        refused.add("127.0.0.1:" + mapped);
      }
      Thread.sleep(20);
    }
    for (Future<?> build : running) {
      build.get(30, TimeUnit.SECONDS);
    }
    assertThat(refused).as("refused to this host in %d attempts", attempts).isEmpty();
    assertThat(hostTables()).doesNotContain("slipway");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (leftOver(prefix) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(leftOver(prefix)).as("namespaces left behind").isFalse();
  }

  private static boolean leftOver(String prefix) throws IOException {
    try (var names = Files.list(Path.of("/run/netns"))) {
      return names.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
    }
  }

  private static String hostTables() throws Exception {
    return run("nft", "list", "tables");
  }

  private static void removeProbeFromHost() throws Exception {
    if (hostTables().contains("slipway_probe")) {
      run("nft", "delete", "table", "inet", "slipway_probe");
    }
  }

  private static boolean connects(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String run(String... argv) throws Exception {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
    return out;
  }
}

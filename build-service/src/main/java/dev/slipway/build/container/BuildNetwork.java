package dev.slipway.build.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The network namespace of one build's containers: outbound access through slirp4netns (user-mode
 * networking: the namespace has no route to the host's interfaces, and the host's loopback is not
 * mapped), and an nftables filter inside the namespace, where the containers (without
 * CAP_NET_ADMIN) cannot change it, that rejects every private, link-local (the cloud metadata
 * address 169.254.169.254), loopback-mapped and multicast destination and every address of this
 * host, so a build reaches the internet (Git hosts, package registries) but none of the platform's
 * services: not PostgreSQL, Kafka, the registry's API or a service port, even those bound on all
 * interfaces. Only the exceptions given (the image registry, for the image stage) pass.
 */
public final class BuildNetwork implements AutoCloseable {

  /** The resolver slirp4netns answers on inside the namespace. */
  public static final String DNS = "10.0.2.3";

  /** The address slirp4netns maps to the host's loopback when it is asked to. */
  public static final String HOST_LOOPBACK = "10.0.2.2";

  private static final Logger LOG = Logger.getLogger(BuildNetwork.class);
  private static final Path NETNS_DIR = Path.of("/run/netns");
  private static final Duration READY = Duration.ofSeconds(5);

  /** Destinations no build may reach, whatever the configuration adds. */
  static final List<String> DENIED_V4 =
      List.of(
          "0.0.0.0/8",
          "10.0.0.0/8",
          "100.64.0.0/10",
          "127.0.0.0/8",
          "169.254.0.0/16",
          "172.16.0.0/12",
          "192.0.0.0/24",
          "192.168.0.0/16",
          "198.18.0.0/15",
          "224.0.0.0/4",
          "240.0.0.0/4");

  static final List<String> DENIED_V6 =
      List.of("::/127", "::ffff:0:0/96", "64:ff9b::/96", "fc00::/7", "fe80::/10", "ff00::/8");

  private static final ExecutorService CLOSER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "build-network-close");
            t.setDaemon(true);
            return t;
          });

  private final String name;
  private final Process slirp;

  private BuildNetwork(String name, Process slirp) {
    this.name = name;
    this.slirp = slirp;
  }

  /** A destination let through the filter: an address and a TCP port. */
  public record Allowed(String address, int port) {}

  /**
   * Creates namespace {@code name} with its filter, and starts slirp4netns on it.
   *
   * @param extraDenied more CIDRs to reject (an operator's internal networks)
   * @param allowed destinations that pass although their range is rejected
   * @param hostLoopback whether {@link #HOST_LOOPBACK} maps to this host's loopback (only ever
   *     opened to the {@code allowed} ports)
   */
  public static BuildNetwork open(
      String name, List<String> extraDenied, List<Allowed> allowed, boolean hostLoopback) {
    apply(List.of("ip", "netns", "add", name), null);
    Process slirp = null;
    try {
      applyFilter(name, rules(extraDenied, allowed));
      requireOwnNamespace(name);
      List<String> argv = new ArrayList<>(List.of("slirp4netns", "--configure", "--mtu=65520"));
      if (!hostLoopback) {
        argv.add("--disable-host-loopback");
      }
      argv.addAll(List.of("--netns-type=path", NETNS_DIR.resolve(name).toString(), "tap0"));
      slirp =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      awaitTap(name, slirp);
      return new BuildNetwork(name, slirp);
    } catch (IOException | RuntimeException e) {
      if (slirp != null) {
        slirp.destroyForcibly();
      }
      deleteQuietly(name);
      throw e instanceof RuntimeException r
          ? r
          : new ContainerException("cannot start slirp4netns: " + e.getMessage());
    }
  }

  /** The namespace's path, for {@code podman run --network ns:PATH}. */
  public Path path() {
    return NETNS_DIR.resolve(name);
  }

  /**
   * Tears the namespace down on a background thread, for a caller whose containers have all exited
   * (nothing runs in the namespace any more): the build goes on without waiting the ~15 ms that
   * stopping slirp4netns and deleting the namespace take.
   */
  public void closeInBackground() {
    try {
      CLOSER.execute(this::close);
    } catch (RejectedExecutionException e) {
      close();
    }
  }

  /** Waits until every teardown {@link #closeInBackground} was given before this call is done. */
  public static void awaitBackgroundCloses(Duration atMost) throws InterruptedException {
    try {
      CLOSER.submit(() -> {}).get(atMost.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      LOG.warnf("build networks still being torn down after %s: %s", atMost, e);
    }
  }

  @Override
  public void close() {
    slirp.destroy();
    try {
      if (!slirp.waitFor(2, TimeUnit.SECONDS)) {
        slirp.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      slirp.destroyForcibly();
    }
    deleteQuietly(name);
  }

  /**
   * Loads {@code rules} into namespace {@code name}, and only there: {@code nsenter} joins the
   * namespace by its path (and fails if the path is gone or is not a namespace), then the same
   * process checks that the namespace it is now in is not this service's own (the host's) before it
   * becomes {@code nft}. A namespace deleted, never made, or this host's under a build's name fails
   * the build; the filter never lands on the host, where it would cut the node off the cluster's
   * private networks.
   */
  static void applyFilter(String name, String rules) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "nsenter",
                "--net=" + NETNS_DIR.resolve(name),
                "sh",
                "-c",
                """
                for host in "$@"; do
                  if [ /proc/$$/ns/net -ef "$host" ]; then
                    echo "refused: the namespace is this host's ($host)" >&2
                    exit 97
                  fi
                done
                exec nft -f -
                """,
                "slipway-filter"));
    argv.addAll(HostNamespaces.PATHS);
    apply(argv, rules);
  }

  /**
   * Fails unless {@code name}'s path is a namespace other than this host's (for slirp4netns, which
   * configures the interface and the default route of the namespace it is given).
   */
  static void requireOwnNamespace(String name) {
    Path path = NETNS_DIR.resolve(name);
    if (!Files.exists(path)) {
      throw new ContainerException("the build network " + name + " is gone");
    }
    for (String host : HostNamespaces.PATHS) {
      boolean same;
      try {
        same = Files.isSameFile(path, Path.of(host));
      } catch (IOException e) {
        LOG.debugf("cannot compare with %s: %s", host, e.getMessage());
        continue;
      }
      if (same) {
        throw new ContainerException(
            "refused: the build network " + name + " is this host's namespace (" + host + ")");
      }
    }
  }

  /** The nftables ruleset of a build's namespace. */
  static String rules(List<String> extraDenied, List<Allowed> allowed) {
    Set<String> v4 = new LinkedHashSet<>(DENIED_V4);
    Set<String> v6 = new LinkedHashSet<>(DENIED_V6);
    for (String cidr : extraDenied) {
      (cidr.contains(":") ? v6 : v4).add(cidr);
    }
    for (InetAddress own : HostAddresses.ALL) {
      if (own instanceof Inet4Address) {
        v4.add(own.getHostAddress() + "/32");
      } else if (own instanceof Inet6Address) {
        v6.add(own.getHostAddress().replaceAll("%.*$", "") + "/128");
      }
    }
    StringBuilder nft = new StringBuilder();
    nft.append("table inet slipway {\n");
    nft.append("  chain output {\n");
    nft.append("    type filter hook output priority 0; policy accept;\n");
    nft.append("    oifname \"lo\" accept\n");
    nft.append("    ip daddr ").append(DNS).append(" udp dport 53 accept\n");
    nft.append("    ip daddr ").append(DNS).append(" tcp dport 53 accept\n");
    for (Allowed allow : allowed) {
      nft.append(allow.address().contains(":") ? "    ip6 daddr " : "    ip daddr ")
          .append(allow.address())
          .append(" tcp dport ")
          .append(allow.port())
          .append(" accept\n");
    }
    nft.append("    ip daddr { ")
        .append(String.join(", ", v4))
        .append(" } reject with icmpx admin-prohibited\n");
    nft.append("    ip6 daddr { ")
        .append(String.join(", ", v6))
        .append(" } reject with icmpx admin-prohibited\n");
    nft.append("  }\n}\n");
    return nft.toString();
  }

  /** The allowed destinations of a registry at {@code host:port} as seen from a build. */
  public static List<Allowed> registry(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon > 0 && !address.endsWith("]") ? address.substring(0, colon) : address;
    int port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : 443;
    List<Allowed> allowed = new ArrayList<>();
    try {
      for (InetAddress ip : InetAddress.getAllByName(host.replace("[", "").replace("]", ""))) {
        if (ip.isLoopbackAddress()) {
          allowed.add(new Allowed(HOST_LOOPBACK, port));
        } else {
          allowed.add(new Allowed(ip.getHostAddress().replaceAll("%.*$", ""), port));
        }
      }
    } catch (java.net.UnknownHostException e) {
      LOG.debugf("registry %s does not resolve here: %s", host, e.getMessage());
    }
    return allowed;
  }

  /** Whether the registry at {@code address} is on this host's loopback. */
  public static boolean isLoopback(String address) {
    return registry(address).stream().anyMatch(a -> a.address().equals(HOST_LOOPBACK));
  }

  private static void awaitTap(String name, Process slirp) {
    Instant giveUp = Instant.now().plus(READY);
    while (Instant.now().isBefore(giveUp)) {
      if (!slirp.isAlive()) {
        throw new ContainerException("slirp4netns exited with code " + slirp.exitValue());
      }
      Result shown = query(List.of("ip", "-n", name, "-o", "-4", "addr", "show", "dev", "tap0"));
      if (shown.exit() == 0 && shown.output().contains("inet ")) {
        return;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new ContainerException(
        "the build network did not come up within " + READY.toSeconds() + " s");
  }

  private static void deleteQuietly(String name) {
    Result result = query(List.of("ip", "netns", "delete", name));
    if (result.exit() != 0 && Files.exists(NETNS_DIR.resolve(name))) {
      LOG.warnf("cannot delete network namespace %s: %s", name, result.output().strip());
    }
  }

  private record Result(int exit, String output) {}

  private static Result query(List<String> argv) {
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(10, TimeUnit.SECONDS);
      return new Result(process.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  private static void apply(List<String> argv, String stdin) {
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new ContainerException(
            "cannot set up the build network ("
                + String.join(" ", argv.subList(0, Math.min(3, argv.size())))
                + "): "
                + out.strip());
      }
    } catch (IOException e) {
      throw new ContainerException("cannot set up the build network: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerException("interrupted while setting up the build network");
    }
  }

  /** The network namespaces that are this host's: this service's own and process 1's. */
  static final class HostNamespaces {
    static final List<String> PATHS =
        List.of("/proc/" + ProcessHandle.current().pid() + "/ns/net", "/proc/1/ns/net");
  }

  /** This host's own addresses (every interface but loopback), read once. */
  static final class HostAddresses {
    static final List<InetAddress> ALL = read();

    private static List<InetAddress> read() {
      List<InetAddress> all = new ArrayList<>();
      try {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          for (InetAddress address : Collections.list(nic.getInetAddresses())) {
            if (!address.isLoopbackAddress()) {
              all.add(address);
            }
          }
        }
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
      return List.copyOf(all);
    }
  }
}

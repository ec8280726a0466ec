package dev.slipway.launcher.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that differs between one platform and another: where its files are, its ports, the
 * Kafka and PostgreSQL it uses, its registry and cluster, the key tokens are checked with, and how
 * its JVMs run. {@code ./slipway up} and the end-to-end tests each make one; {@link Platform} does
 * the rest the same way for both.
 *
 * @param layout the checkout and the state folder
 * @param ports the processes' ports
 * @param infrastructure Kafka and PostgreSQL
 * @param registry the OCI registry images are pushed to
 * @param kubeconfig a real cluster's kubeconfig; empty: the platform starts the sandbox API
 * @param jwtPublicKey where services read the token key, e.g. {@code file:/…/public-key.pem}
 * @param sandboxReadyAfter how long a sandbox pod takes to become ready; empty: the sandbox's own
 * @param jvm how the services' JVMs run
 * @param readyTimeout how long a process may take to become ready
 * @param serviceOverrides settings every service gets on top of the topology's, as environment
 *     variables (each service reads only its own prefix), e.g. the end-to-end tests' shorter
 *     leases; they win over everything else
 */
public record PlatformSettings(
    PlatformLayout layout,
    PortPlan ports,
    Infrastructure infrastructure,
    Registry registry,
    Optional<Path> kubeconfig,
    String jwtPublicKey,
    Optional<Duration> sandboxReadyAfter,
    JvmOptions jvm,
    Duration readyTimeout,
    Map<String, String> serviceOverrides) {

  public PlatformSettings {
    serviceOverrides = Map.copyOf(serviceOverrides);
  }

  /** The sandbox's kubeconfig, or the given cluster's. */
  public Path clusterKubeconfig() {
    return kubeconfig.orElse(layout.sandbox().resolve("kubeconfig"));
  }

  /**
   * The OCI registry build-service pushes to.
   *
   * @param address {@code host[:port]}
   * @param startLocally whether the platform runs it (Debian's {@code docker-registry} on loopback,
   *     storage in the state folder) or it is someone else's
   */
  public record Registry(String address, boolean startLocally) {

    /** A registry on loopback speaks plain HTTP; any other HTTPS. */
    public boolean insecure() {
      return address.startsWith("127.") || address.startsWith("localhost");
    }

    /** The port of a registry on loopback. */
    public int port() {
      return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
  }
}

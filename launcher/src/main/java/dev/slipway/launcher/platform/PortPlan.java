package dev.slipway.launcher.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.EnumMap;
import java.util.Map;

/**
 * The ports a platform's processes listen on (127.0.0.1): fixed for {@code ./slipway up}, free ones
 * for tests, so a test platform never meets a running local one.
 *
 * @param services each service's HTTP port
 * @param sandbox the sandbox Kubernetes API's port
 */
public record PortPlan(Map<PlatformService, Integer> services, int sandbox) {

  /** The ports of a local run: services on 8081–8085, the sandbox API on 6443. */
  public static PortPlan local(int sandbox) {
    Map<PlatformService, Integer> ports = new EnumMap<>(PlatformService.class);
    for (PlatformService service : PlatformService.values()) {
      ports.put(service, service.localPort());
    }
    return new PortPlan(ports, sandbox);
  }

  /** Free ports, chosen now. */
  public static PortPlan free() {
    Map<PlatformService, Integer> ports = new EnumMap<>(PlatformService.class);
    for (PlatformService service : PlatformService.values()) {
      ports.put(service, freePort());
    }
    return new PortPlan(ports, freePort());
  }

  /** The HTTP port of {@code service}. */
  public int of(PlatformService service) {
    return services.get(service);
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}

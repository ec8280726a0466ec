package dev.slipway.launcher.platform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How each service's JVM is started: the one place for heap, class-data sharing and the like, for
 * {@code ./slipway up} and the end-to-end tests alike.
 *
 * <p>Every service gets {@link #common} then its own options; a service whose build produced an
 * AppCDS archive ({@code quarkus-app/app-cds.jsa}, Quarkus's {@code
 * quarkus.package.jar.appcds.enabled}) starts with it. {@code SLIPWAY_SERVICE_JAVA_OPTIONS}
 * (space-separated) is added to the common options, after the defaults, and so wins over them.
 *
 * @param common options of every service's JVM
 * @param perService options of one service's JVM, after the common ones
 */
public record JvmOptions(List<String> common, Map<PlatformService, List<String>> perService) {

  /**
   * Heap options of a service at rest on a laptop (and in k8s/, {@code JAVA_TOOL_OPTIONS} of {@code
   * k8s/base/config/slipway.env}): G1 collects every 5 s when nothing else did, and gives back heap
   * above 30% free, so an idle service shrinks instead of keeping its start-up's peak. Measured
   * back to back with `./slipway up` (five services and the sandbox, 45 s after ready): 1,262 MB
   * resident against 1,370 MB without, the platform ready after 26.8 s against 27.5 s.
   */
  static final List<String> AT_REST =
      List.of(
          "-XX:G1PeriodicGCInterval=5000", "-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10");

  /**
   * Today's settings: a bounded heap given back at rest ({@link #AT_REST}), and a JVM that exits on
   * running out of memory rather than limping on (as the Kubernetes Deployments run them).
   */
  public static JvmOptions defaults() {
    List<String> common = new ArrayList<>(List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError"));
    common.addAll(AT_REST);
    String extra = System.getenv("SLIPWAY_SERVICE_JAVA_OPTIONS");
    if (extra != null && !extra.isBlank()) {
      common.addAll(Arrays.asList(extra.trim().split("\\s+")));
    }
    return new JvmOptions(common, new EnumMap<>(PlatformService.class));
  }

  /** The options of {@code service}'s JVM, whose packaged application is {@code jar}. */
  public List<String> of(PlatformService service, Path jar) {
    return of(jar, perService.getOrDefault(service, List.of()));
  }

  /**
   * The options of the JVM of the packaged application {@code jar}: its AppCDS archive if it has
   * one, the common options, then {@code own}.
   */
  public List<String> of(Path jar, List<String> own) {
    List<String> options = new ArrayList<>();
    Path archive = jar.resolveSibling("app-cds.jsa");
    if (Files.isRegularFile(archive)) {
      options.add("-XX:SharedArchiveFile=" + archive.toAbsolutePath());
    }
    options.addAll(common);
    options.addAll(own);
    return options;
  }
}

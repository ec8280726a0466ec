package dev.slipway.launcher.platform;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
 * quarkus.package.jar.appcds.enabled}) starts with the archive of a whole earlier run of that build
 * ({@link #of(Path, List)}). {@code SLIPWAY_SERVICE_JAVA_OPTIONS} (space-separated) is added to the
 * common options, after the defaults, and so wins over them. Every JVM also gets {@link
 * #ENVIRONMENT}. What these settings save is measured in README.md ("What the platform costs").
 *
 * @param common options of every service's JVM
 * @param perService options of one service's JVM, after the common ones
 * @param sandbox options of the sandbox Kubernetes API's JVM
 */
public record JvmOptions(
    List<String> common, Map<PlatformService, List<String>> perService, List<String> sandbox) {

  /** Services' and console's options as given, the sandbox's {@link #atRest}. */
  public JvmOptions(List<String> common, Map<PlatformService, List<String>> perService) {
    this(common, perService, atRest());
  }

  /** The class-data archive Quarkus's build makes ({@code quarkus.package.jar.appcds.enabled}). */
  static final String BUILD_ARCHIVE = "app-cds.jsa";

  /** The class-data archive of a whole run of a build, written when that run exits. */
  static final String RUN_ARCHIVE = "app-cds-run.jsa";

  /** The option that makes a JVM write the run archive when it exits. */
  private static final String WRITE_AT_EXIT = "-XX:ArchiveClassesAtExit=";

  /**
   * How a JVM maps the class-data archive it starts with: at the address the archive was written
   * for, and only where that is taken at another one. This JDK (17.0.15) maps every archive at a
   * random address by default ({@code ArchiveRelocationMode=1}), which means patching every pointer
   * of the archive before the first class loads: for a service's run archive (68 MB) that is most
   * of the JVM's own start. Measured (2026-12-08, 2 cores, trigger-service's run archive, {@code
   * -Xlog:startuptime}, two runs each): "Create VM" 0.34 and 0.44 s with the default, 0.10 and 0.11
   * s with this. The price: the archived class metadata of a service lies at the same address in
   * every start (heap, stacks, code and libraries stay randomised). Only with an archive the
   * launcher passes, so only for {@code ./slipway up} and the end-to-end tests; the Kubernetes pods
   * start without a run archive and keep the default.
   */
  static final List<String> ARCHIVE_AT_ITS_ADDRESS =
      List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");

  /**
   * The first four bytes of a complete dynamic class-data archive: HotSpot's {@code
   * CDS_DYNAMIC_ARCHIVE_MAGIC}, in the machine's byte order. The JVM writes the archive's header
   * last, after every region, so a file left by a JVM killed while writing it lacks them.
   */
  private static final int DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;

  /**
   * Heap options of a service at rest on a laptop (and in k8s/, {@code JAVA_TOOL_OPTIONS} of {@code
   * k8s/base/config/slipway.env}): G1 collects every 5 s when nothing else did, and gives back heap
   * above 30% free, so an idle service shrinks instead of keeping its start-up's peak.
   */
  static final List<String> AT_REST =
      List.of(
          "-XX:G1PeriodicGCInterval=5000", "-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10");

  /**
   * Native memory given back at rest (also in {@code JAVA_TOOL_OPTIONS} of {@code
   * k8s/base/config/slipway.env}): the JIT compilers' scratch memory and other freed native memory
   * stays in glibc's heap and counts as resident until trimmed; the JVM trims it every 5 s. With
   * {@link #ENVIRONMENT} and the run archive, measured (2026-12-07, `./slipway up`, 60 s after each
   * service's start): the five services 1,108 MB resident before, 984 MB after.
   */
  static final List<String> NATIVE_AT_REST = List.of("-XX:TrimNativeHeapInterval=5000");

  /**
   * The environment of every service's JVM (also in {@code k8s/base/config/slipway.env}): glibc
   * makes up to 8 malloc arenas per core, each keeping freed memory of its own; two are enough for
   * a service's few busy threads.
   */
  public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

  /**
   * The JIT of every JVM of {@code ./slipway up} on a laptop (not in k8s/, whose pods keep the
   * JVM's default, see {@code k8s/base/config/slipway.env}): C1 only, without profiling, so no C2
   * compiler threads compete with the services' own start for the few cores, and no method profiles
   * are kept. The code is less optimised once warm: the platform's throughput figures ({@code
   * ./slipway bench}) keep C2. Measured (2026-12-07, 2 cores, {@code ./slipway up} with the run
   * archives, same hour): the platform ready after 27.1 s against 36.1 s, the five services at rest
   * 871 MB against 961 MB (README, "What the platform costs per run").
   */
  static final List<String> LAPTOP_JIT = List.of("-XX:TieredStopAtLevel=1");

  /**
   * What a JVM of the platform that is no service (the sandbox Kubernetes API) runs with: heap and
   * native memory given back at rest, its heap otherwise the JVM's default.
   */
  public static List<String> atRest() {
    List<String> options = new ArrayList<>(AT_REST);
    options.addAll(NATIVE_AT_REST);
    return options;
  }

  /**
   * Today's settings: a bounded heap given back at rest ({@link #AT_REST}), native memory trimmed
   * at rest ({@link #NATIVE_AT_REST}), and a JVM that exits on running out of memory rather than
   * limping on (as the Kubernetes Deployments run them).
   */
  public static JvmOptions defaults() {
    return withDefaults(List.of(), System.getenv("SLIPWAY_SERVICE_JAVA_OPTIONS"));
  }

  /**
   * {@link #defaults} with the laptop's JIT ({@link #LAPTOP_JIT}) for the services, the console and
   * the sandbox: how {@code ./slipway up} runs them. {@code SLIPWAY_SERVICE_JAVA_OPTIONS} still
   * comes last ({@code -XX:TieredStopAtLevel=4} brings C2 back).
   */
  public static JvmOptions laptop() {
    return withDefaults(LAPTOP_JIT, System.getenv("SLIPWAY_SERVICE_JAVA_OPTIONS"));
  }

  /** The defaults with {@code jit}, then {@code extra} (space-separated, may be null). */
  static JvmOptions withDefaults(List<String> jit, String extra) {
    List<String> common = new ArrayList<>(List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError"));
    common.addAll(AT_REST);
    common.addAll(NATIVE_AT_REST);
    common.addAll(jit);
    if (extra != null && !extra.isBlank()) {
      common.addAll(Arrays.asList(extra.trim().split("\\s+")));
    }
    List<String> sandbox = new ArrayList<>(atRest());
    sandbox.addAll(jit);
    return new JvmOptions(common, new EnumMap<>(PlatformService.class), sandbox);
  }

  /** The options of {@code service}'s JVM, whose packaged application is {@code jar}. */
  public List<String> of(PlatformService service, Path jar) {
    return of(jar, perService.getOrDefault(service, List.of()));
  }

  /**
   * The options of a second instance of {@code service} ({@code Platform.startReplica}): as {@link
   * #of(PlatformService, Path)}, but it never writes the run archive, so two JVMs exiting together
   * never write one file; without a run archive it starts with the build's.
   */
  public List<String> ofReplica(PlatformService service, Path jar) {
    return of(jar, perService.getOrDefault(service, List.of()), false);
  }

  /**
   * The options of the JVM of the packaged application {@code jar}: its class-data archive (below),
   * the common options, then {@code own}.
   *
   * <p>Quarkus's build archive ({@code app-cds.jsa}) holds the classes loaded up to the end of
   * static initialisation; a service loads about as many again while it starts (Flyway, the Kafka
   * clients, Vert.x, the datasources) and runs. So when the build made one, the first run of that
   * build writes the archive of every class it loaded when it exits ({@code app-cds-run.jsa}, the
   * JVM's {@code -XX:ArchiveClassesAtExit}: a dynamic archive on top of the JDK's own, which is why
   * that run does without the build's), and every later run of the same build starts with it. An
   * archive older than the jar or the build's archive is from another build and is written anew,
   * and so is one without a complete header ({@link #complete}): what a JVM killed while writing it
   * leaves. The JVM checks an archive before using it (class path, each class's bytes) and starts
   * without one it does not trust. It maps the archive at the address the archive was written for
   * ({@link #ARCHIVE_AT_ITS_ADDRESS}). Writing the archive takes the exiting JVM a while, so the
   * platform gives such a JVM a longer grace to stop ({@link #writesRunArchive}). Measured
   * (2026-12-07, 2 cores, each service restarted alone on a running platform): ready after 2.8 to
   * 3.5 s with the run archive against 3.1 to 4.4 s with the build's (README, "What the platform
   * costs per run").
   */
  public List<String> of(Path jar, List<String> own) {
    return of(jar, own, true);
  }

  private List<String> of(Path jar, List<String> own, boolean mayWriteRunArchive) {
    List<String> options = new ArrayList<>();
    Path built = jar.resolveSibling(BUILD_ARCHIVE).toAbsolutePath();
    Path run = jar.resolveSibling(RUN_ARCHIVE).toAbsolutePath();
    if (Files.isRegularFile(built)) {
      if (newer(run, jar) && newer(run, built) && complete(run)) {
        options.add("-XX:SharedArchiveFile=" + run);
        options.addAll(ARCHIVE_AT_ITS_ADDRESS);
      } else if (!mayWriteRunArchive) {
        options.add("-XX:SharedArchiveFile=" + built);
        options.addAll(ARCHIVE_AT_ITS_ADDRESS);
      } else {
        options.add(WRITE_AT_EXIT + run);
        // Not one warning per class left out of the archive (thousands) in the service's log.
        options.add("-Xlog:cds*=error");
      }
    }
    options.addAll(common);
    options.addAll(own);
    return options;
  }

  /**
   * Whether {@code process} writes its run archive when it exits, which takes it a while after its
   * shutdown: seconds alone on 2 cores, several times that when all the services stop at once.
   */
  static boolean writesRunArchive(ProcessHandle process) {
    return process
        .info()
        .arguments()
        .map(arguments -> Arrays.stream(arguments).anyMatch(a -> a.startsWith(WRITE_AT_EXIT)))
        .orElse(false);
  }

  /** Whether {@code archive} is a whole dynamic archive, not one a killed JVM left unfinished. */
  static boolean complete(Path archive) {
    try (FileChannel file = FileChannel.open(archive)) {
      ByteBuffer head = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder());
      return file.read(head, 0) == Integer.BYTES && head.getInt(0) == DYNAMIC_ARCHIVE_MAGIC;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean newer(Path file, Path than) {
    try {
      return Files.isRegularFile(file)
          && Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(than)) > 0;
    } catch (IOException e) {
      return false;
    }
  }
}

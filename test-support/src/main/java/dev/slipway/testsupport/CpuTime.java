package dev.slipway.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time the benchmarks set against their raw limits: a container's, from its cgroup, and the
 * whole machine's, from {@code /proc/stat}. Nanoseconds; read before and after a phase.
 */
public final class CpuTime {

  /** A tick of {@code /proc/stat} (USER_HZ 100). */
  private static final long TICK = 10_000_000L;

  private CpuTime() {}

  /**
   * The CPU time of the container {@code id} from its cgroup (v1 cpuacct or v2 cpu.stat), or -1.
   */
  public static long container(String id) {
    for (String v1 :
        List.of(
            "/sys/fs/cgroup/cpuacct/docker/%s/cpuacct.usage",
            "/sys/fs/cgroup/cpu,cpuacct/docker/%s/cpuacct.usage")) {
      Path path = Path.of(String.format(v1, id));
      if (Files.isReadable(path)) {
        try {
          return Long.parseLong(Files.readString(path).trim());
        } catch (IOException | NumberFormatException e) {
          return -1;
        }
      }
    }
    for (String v2 :
        List.of(
            "/sys/fs/cgroup/docker/%s/cpu.stat",
            "/sys/fs/cgroup/system.slice/docker-%s.scope/cpu.stat")) {
      Path path = Path.of(String.format(v2, id));
      if (Files.isReadable(path)) {
        try {
          return Files.readAllLines(path).stream()
              .filter(l -> l.startsWith("usage_usec "))
              .mapToLong(l -> Long.parseLong(l.substring(11).trim()) * 1000)
              .findFirst()
              .orElse(-1);
        } catch (IOException | NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** Busy CPU time of the whole machine from {@code /proc/stat}, or 0. */
  public static long machine() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      // user nice system idle iowait irq softirq steal: all but idle and iowait.
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy * TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * How long runnable tasks of the machine waited for a CPU while at least one did (the "some" line
   * of {@code /proc/pressure/cpu}, microsecond precision), in nanoseconds, or -1 where the kernel
   * does not report pressure. A phase whose figure grows by its whole wall time was queued behind
   * other work all along.
   */
  public static long waiting() {
    try {
      String some = Files.readAllLines(Path.of("/proc/pressure/cpu")).get(0);
      int total = some.indexOf("total=");
      return total < 0 ? -1 : Long.parseLong(some.substring(total + 6).trim()) * 1000;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}

package dev.slipway.trigger.bench;

import dev.slipway.testsupport.CpuTime;
import dev.slipway.testsupport.SlipwayInfrastructure;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * CPU time used so far (nanoseconds) by each party of a benchmark on this machine: the test JVM's
 * threads by role (the benchmark's clients, the service, the JIT compilers, the garbage collector
 * and the VM), the PostgreSQL and Kafka containers (their cgroups), Docker's port proxies in front
 * of them, and the whole machine (other builds included). Read from {@code /proc} and the cgroup
 * files; a party this machine does not expose reads -1.
 *
 * <p>Clients that live only for one phase report their own threads' CPU ({@link #clientThreads}),
 * since a thread that ended is gone from {@code /proc}.
 */
record CpuUse(
    long jvm,
    long clients,
    long service,
    long workers,
    long eventLoops,
    long producers,
    long jit,
    long gc,
    long postgres,
    long kafka,
    long proxies,
    long machine,
    long wall) {

  /** The name prefix of the benchmark's client threads that report their own CPU. */
  static final String CLIENT_THREAD = "bench-client-";

  private static final long TICK = 10_000_000L;

  // The JVM's own threads (names as Linux keeps them: 15 characters).
  private static final List<String> VM_THREADS =
      List.of(
          "GC ",
          "G1 ",
          "VM ",
          "java",
          "Service Thread",
          "Monitor Deflati",
          "Reference Handl",
          "Finalizer",
          "Common-Cleaner",
          "Notification Th",
          "Signal Dispatch",
          "Sweeper");

  /** CPU of threads of the phase's clients that ended, added by the clients themselves. */
  private static final AtomicLong clientThreads = new AtomicLong();

  /** Adds the calling client thread's CPU so far; call once, as its last act. */
  static void clientEnding() {
    clientThreads.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
  }

  static CpuUse now() {
    Map<String, Long> threads = threadsByRole();
    SlipwayInfrastructure.PostgresServer postgres = SlipwayInfrastructure.postgres();
    SlipwayInfrastructure.KafkaBroker kafka = SlipwayInfrastructure.kafka();
    String kafkaPort =
        kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1);
    return new CpuUse(
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime(),
        threads.getOrDefault("clients", 0L) + clientThreads.get(),
        threads.getOrDefault("service", 0L),
        threads.getOrDefault("workers", 0L),
        threads.getOrDefault("eventLoops", 0L),
        threads.getOrDefault("producers", 0L),
        threads.getOrDefault("jit", 0L),
        threads.getOrDefault("gc", 0L),
        CpuTime.container(postgres.containerId()),
        CpuTime.container(kafka.containerId()),
        proxiesCpu(List.of(String.valueOf(postgres.port()), kafkaPort)),
        CpuTime.machine(),
        System.nanoTime());
  }

  CpuUse minus(CpuUse o) {
    return new CpuUse(
        jvm - o.jvm,
        clients - o.clients,
        service - o.service,
        workers - o.workers,
        eventLoops - o.eventLoops,
        producers - o.producers,
        jit - o.jit,
        gc - o.gc,
        postgres - o.postgres,
        kafka - o.kafka,
        proxies - o.proxies,
        machine - o.machine,
        wall - o.wall);
  }

  /** Milliseconds of CPU per unit, by party. */
  String per(long units) {
    double all = jvm + postgres + kafka + proxies;
    return String.format(
        "all processes %.2f ms = test JVM %.2f (its clients %.2f, the service %.2f, JIT %.2f,"
            + " GC and VM %.2f) + PostgreSQL %.2f + Kafka %.2f + Docker's port proxies %.2f;"
            + " the service's threads: webhook workers %.2f, event loops %.2f, Kafka producers"
            + " %.2f, others %.2f;"
            + " the rest of the machine %.2f ms; the machine's %d cores were busy %.0f %% of %.1f s",
        all / 1e6 / units,
        jvm / 1e6 / units,
        clients / 1e6 / units,
        service / 1e6 / units,
        jit / 1e6 / units,
        gc / 1e6 / units,
        postgres / 1e6 / units,
        kafka / 1e6 / units,
        proxies / 1e6 / units,
        workers / 1e6 / units,
        eventLoops / 1e6 / units,
        producers / 1e6 / units,
        (service - workers - eventLoops - producers) / 1e6 / units,
        (machine - all) / 1e6 / units,
        Runtime.getRuntime().availableProcessors(),
        100.0 * machine / wall / Runtime.getRuntime().availableProcessors(),
        wall / 1e9);
  }

  /**
   * This JVM's live threads' CPU summed by role, from their names in /proc/self/task; the service's
   * threads also by kind ({@code workers}, {@code eventLoops}, {@code producers}).
   */
  private static Map<String, Long> threadsByRole() {
    Map<String, Long> roles = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(
          task -> {
            try {
              String name = Files.readString(task.resolve("comm")).trim();
              long cpu = ticks(Files.readString(task.resolve("stat")));
              String role = roleOf(name);
              roles.merge(role, cpu, Long::sum);
              if (role.equals("service")) {
                roles.merge(serviceKindOf(name), cpu, Long::sum);
              }
            } catch (IOException e) {
              // The thread ended meanwhile.
            }
          });
    } catch (IOException e) {
      return Map.of();
    }
    return roles;
  }

  private static String roleOf(String thread) {
    if (thread.startsWith(CLIENT_THREAD)) {
      // Counted by the clients themselves: they may have ended before the sample.
      return "self-reported";
    }
    if (thread.startsWith("HttpClient") || thread.startsWith("pool-") || thread.equals("main")) {
      return "clients";
    }
    if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (VM_THREADS.stream().anyMatch(thread::startsWith)) {
      return "gc";
    }
    return "service";
  }

  private static String serviceKindOf(String thread) {
    if (thread.startsWith("webhook-")) {
      return "workers";
    }
    if (thread.startsWith("vert.x-eventloo")) {
      return "eventLoops";
    }
    if (thread.startsWith("kafka-producer")) {
      return "producers";
    }
    return "other";
  }

  /** utime + stime of a /proc stat line, in nanoseconds. */
  private static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK;
  }

  /** Docker's proxies publishing {@code hostPorts}, from their command lines. */
  private static long proxiesCpu(List<String> hostPorts) {
    long total = 0;
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process :
          processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          List<String> args =
              List.of(
                  new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                      .split("\0"));
          int port = args.indexOf("-host-port");
          if (!args.isEmpty()
              && args.get(0).endsWith("docker-proxy")
              && port >= 0
              && port + 1 < args.size()
              && hostPorts.contains(args.get(port + 1))) {
            total += ticks(Files.readString(process.resolve("stat")));
          }
        } catch (IOException e) {
          // The process ended meanwhile.
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return total;
  }
}

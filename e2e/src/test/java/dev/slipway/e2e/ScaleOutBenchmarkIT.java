package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.launcher.platform.Platform;
import dev.slipway.launcher.platform.PlatformService;
import dev.slipway.launcher.platform.PortPlan;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scale-out proof ({@code ./slipway bench scale}): for build-, scan- and deploy-service, the same
 * queue of work drained by one instance, then by two instances of the service on the same platform.
 *
 * <p>Each round registers {@link #APPLICATIONS} applications (one environment, dev) and sends
 * {@link #COMMITS} pushes to each while build-, scan- and deploy-service are stopped, so the whole
 * queue waits in Kafka. Then, one service at a time in pipeline order, the service is started with
 * one or two instances and the round waits until every unit of its work has an outcome: builds,
 * then the scans of those builds, then their dev rollouts. The other stages are stopped while a
 * stage is measured, so the instances compete only with each other (and with trigger- and
 * audit-service, idle but for the audit records).
 *
 * <p>Per stage: units per second from the first instance ready to the last outcome, each unit's
 * time from its first sighting as claimed (the queue table sampled every {@link #SAMPLE}) to its
 * outcome (p50, p99, with the unit count), the CPU each instance used in that time, how many units
 * each instance was seen holding, and that every unit ran exactly once: one claim per row ({@code
 * attempts} 1) and one outcome event per unit on Kafka. Prints figures; asserts only that every
 * unit finished exactly once.
 */
@Tag("bench")
class ScaleOutBenchmarkIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int APPLICATIONS = 10;
  private static final int COMMITS = 6;
  private static final int UNITS = APPLICATIONS * COMMITS;
  private static final Duration SAMPLE = Duration.ofMillis(25);
  private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(5);

  /** {@code getconf CLK_TCK} on Linux: /proc counts CPU time in hundredths of a second. */
  private static final long CLOCK_TICKS = 100;

  /** A service's queue: table, the unit's id column, how its rows belong to a round. */
  private enum Stage {
    BUILD(PlatformService.BUILD, "builds", "event_id", "", "build.done"),
    SCAN(PlatformService.SCAN, "scans", "scan_id", " AND kind = 'BUILD'", "scan.done"),
    DEPLOY(
        PlatformService.DEPLOY, "rollouts", "event_id", " AND environment = 'dev'", "deploy.done");

    final PlatformService service;
    final String table;
    final String id;
    final String filter;
    final String outcomeTopic;

    Stage(PlatformService service, String table, String id, String filter, String outcomeTopic) {
      this.service = service;
      this.table = table;
      this.id = id;
      this.filter = filter;
      this.outcomeTopic = outcomeTopic;
    }
  }

  private static PlatformUnderTest platform;
  private static PlatformClient client;

  @BeforeAll
  static void startPlatform() {
    platform = PlatformUnderTest.shared();
    client = new PlatformClient(platform.endpoints());
  }

  @Test
  void oneInstanceAgainstTwoOnTheSameQueue() throws Exception {
    Map<Stage, List<StageResult>> results = new LinkedHashMap<>();
    for (int instances = 1; instances <= 2; instances++) {
      // The state folder outlives a run: each run's applications and repositories are new.
      String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      Set<String> runs = queueRound("scale" + instances + "-" + run);
      for (Stage stage : Stage.values()) {
        StageResult result = drain(stage, instances, runs);
        results.computeIfAbsent(stage, s -> new ArrayList<>()).add(result);
      }
    }
    // The pipeline as it was: every service running on its own instance again.
    for (Stage stage : Stage.values()) {
      platform.platform().startService(stage.service);
    }
    print(results);
    for (List<StageResult> stageResults : results.values()) {
      for (StageResult result : stageResults) {
        assertThat(result.finished()).as(result.label()).isEqualTo(UNITS);
        assertThat(result.claimedMoreThanOnce()).as(result.label()).isZero();
        assertThat(result.duplicateOutcomes()).as(result.label()).isZero();
        assertThat(result.outcomeEvents()).as(result.label()).isEqualTo(UNITS);
      }
    }
  }

  /**
   * Stops build, scan and deploy, registers a round's applications and sends all their pushes;
   * returns the runs, once trigger-service published a commit.received for each.
   */
  private Set<String> queueRound(String prefix) throws Exception {
    for (Stage stage : Stage.values()) {
      platform.platform().stop(stage.service);
    }
    Path work = Files.createTempDirectory("scale-out");
    List<ChaosApplications.Push> pushes =
        ChaosApplications.create(
            client, platform.gitRoot(), work, prefix, APPLICATIONS, COMMITS, List.of("dev"));
    Set<String> runs = new LinkedHashSet<>();
    for (ChaosApplications.Push push : pushes) {
      runs.add(
          client
              .postRaw(
                  platform.endpoints().trigger() + "/webhooks/github/" + push.application(),
                  push.headers(),
                  push.body())
              .expect(202)
              .json()
              .path("runId")
              .asText());
    }
    Instant deadline = Instant.now().plus(STAGE_TIMEOUT);
    while (outcomes("commit.received", runs).size() < UNITS) {
      assertThat(Instant.now()).as("commit.received of every push").isBefore(deadline);
      Thread.sleep(200);
    }
    return runs;
  }

  /**
   * Starts {@code instances} instances of the stage's service, waits until every unit of the round
   * has an outcome, and stops the second instance again (the first keeps running, idle, so the next
   * stage's deploy-service can read build-service's keys).
   */
  private StageResult drain(Stage stage, int instances, Set<String> runs) throws Exception {
    Platform topology = platform.platform();
    // Every instance is launched at once: the work waits in Kafka, and whichever is ready first
    // starts on it; the clock starts then, and the others' lag is reported. Each one's CPU counts
    // from its own ready: its start-up is not the work's.
    List<CompletableFuture<Started>> starting = new ArrayList<>();
    starting.add(
        CompletableFuture.supplyAsync(
            () -> {
              topology.startService(stage.service);
              return Started.now(topology.process(stage.service).orElseThrow());
            }));
    for (int ordinal = 2; ordinal <= instances; ordinal++) {
      int replica = ordinal;
      starting.add(
          CompletableFuture.supplyAsync(
              () ->
                  Started.now(topology.startReplica(stage.service, replica, PortPlan.freePort()))));
    }
    CompletableFuture.anyOf(starting.toArray(CompletableFuture[]::new)).join();
    Instant begin = Instant.now();
    long[] machineBefore = machineTicks();
    ProcessHandle postgres = containerProcess(SlipwayInfrastructure.postgres().containerId());
    ProcessHandle kafka = containerProcess(SlipwayInfrastructure.kafka().containerId());
    Duration postgresBefore = cpu(postgres);
    Duration kafkaBefore = cpu(kafka);
    List<Started> started = starting.stream().map(CompletableFuture::join).toList();
    Duration lastReadyAfter =
        Duration.between(
            started.stream().map(Started::ready).min(Instant::compareTo).orElseThrow(),
            started.stream().map(Started::ready).max(Instant::compareTo).orElseThrow());
    Map<String, Instant> claimedAt = new HashMap<>();
    Map<String, String> claimedBy = new HashMap<>();
    List<String> owners = new ArrayList<>();
    Map<String, Instant> finishedAt = new HashMap<>();
    Map<String, Integer> attempts = new HashMap<>();
    Instant deadline = begin.plus(STAGE_TIMEOUT);
    try (Connection db = connect(stage.service)) {
      while (finishedAt.size() < UNITS) {
        assertThat(Instant.now())
            .as(stage + " with " + instances + ": " + finishedAt.size() + " of " + UNITS + " done")
            .isBefore(deadline);
        Instant seen = Instant.now();
        for (Row row : rows(db, stage, runs)) {
          if (row.owner() != null && !claimedBy.containsKey(row.id())) {
            // build-service's workers hold leases as INSTANCE/N; scan and deploy as the instance.
            String instance = row.owner().split("/")[0];
            claimedBy.put(row.id(), instance);
            if (!owners.contains(instance)) {
              owners.add(instance);
            }
            // A unit's time counts from a sighting while it ran, not from one after its outcome
            // (a holder some queues keep on a finished row).
            if (row.finished() == null) {
              claimedAt.put(row.id(), seen);
            }
          }
          if (row.finished() != null) {
            finishedAt.putIfAbsent(row.id(), row.finished());
            attempts.put(row.id(), row.attempts());
          }
        }
        Thread.sleep(SAMPLE.toMillis());
      }
    }
    Instant last = finishedAt.values().stream().max(Instant::compareTo).orElseThrow();
    Duration wall = Duration.between(begin, last);
    long[] machineAfter = machineTicks();
    Duration postgresCpu = cpu(postgres).minus(postgresBefore);
    Duration kafkaCpu = cpu(kafka).minus(kafkaBefore);
    double machineBusy =
        (machineAfter[0] - machineBefore[0])
            / (double) Math.max(1, machineAfter[1] - machineBefore[1]);
    List<Duration> cpu = new ArrayList<>();
    for (Started instance : started) {
      cpu.add(cpu(instance.process()).minus(instance.cpuAtReady()));
    }
    for (int ordinal = 2; ordinal <= instances; ordinal++) {
      topology.stopReplica(stage.service, ordinal);
    }
    List<Long> unitMs = new ArrayList<>();
    for (Map.Entry<String, Instant> claimed : claimedAt.entrySet()) {
      Instant finished = finishedAt.get(claimed.getKey());
      unitMs.add(Math.max(0, Duration.between(claimed.getValue(), finished).toMillis()));
    }
    Map<String, Long> perOwner = new LinkedHashMap<>();
    for (String owner : owners) {
      perOwner.put(owner, claimedBy.values().stream().filter(owner::equals).count());
    }
    long unseen = finishedAt.size() - claimedBy.size();
    Map<String, Integer> outcomes = outcomes(stage.outcomeTopic, runs);
    return new StageResult(
        stage,
        instances,
        lastReadyAfter,
        machineBusy,
        postgresCpu,
        kafkaCpu,
        finishedAt.size(),
        wall,
        unitMs,
        cpu,
        new ArrayList<>(perOwner.values()),
        unseen,
        attempts.values().stream().filter(a -> a != 1).count(),
        outcomes.values().stream().mapToInt(Integer::intValue).sum(),
        outcomes.values().stream().filter(n -> n > 1).count());
  }

  /** An instance once it was ready: when, and the CPU its start-up had used. */
  private record Started(ProcessHandle process, Instant ready, Duration cpuAtReady) {

    static Started now(ProcessHandle process) {
      return new Started(process, Instant.now(), cpu(process));
    }
  }

  private record Row(String id, String owner, Instant finished, int attempts) {}

  private static List<Row> rows(Connection db, Stage stage, Set<String> runs) throws SQLException {
    String sql =
        "SELECT "
            + stage.id
            + ", lease_owner, finished_at, attempts FROM "
            + stage.table
            + " WHERE run_id = ANY(?)"
            + stage.filter;
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement query = db.prepareStatement(sql)) {
      query.setArray(1, db.createArrayOf("text", runs.toArray()));
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          Timestamp finished = result.getTimestamp(3);
          rows.add(
              new Row(
                  result.getString(1),
                  result.getString(2),
                  finished == null ? null : finished.toInstant(),
                  result.getInt(4)));
        }
      }
    }
    return rows;
  }

  /** Outcome events per run of {@code runs} on {@code topic} (deploy.done: dev's only). */
  private static Map<String, Integer> outcomes(String topic, Set<String> runs) throws Exception {
    Map<String, Set<String>> eventsPerRun = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : KafkaTestClient.readAll(topic)) {
      // CloudEvents' binary mode: the envelope's attributes are headers, the value is its data.
      String run = KafkaTestClient.header(record, "ce_runid");
      if (!runs.contains(run)) {
        continue;
      }
      JsonNode environment = JSON.readTree(record.value()).path("environment");
      if (!environment.isMissingNode() && !"dev".equals(environment.asText())) {
        continue;
      }
      // A relay may republish a record with the same id: that is one event, not two.
      eventsPerRun
          .computeIfAbsent(run, r -> new LinkedHashSet<>())
          .add(KafkaTestClient.header(record, "ce_id"));
    }
    Map<String, Integer> counts = new HashMap<>();
    eventsPerRun.forEach((run, ids) -> counts.put(run, ids.size()));
    return counts;
  }

  private static Connection connect(PlatformService service) throws SQLException {
    var postgres = new PlatformUnderTest.TestInfrastructure().postgres();
    return DriverManager.getConnection(
        postgres.jdbcUrl(service.database()), postgres.user(), postgres.password());
  }

  /** Busy and total CPU ticks of the whole machine, all cores, from {@code /proc/stat}. */
  private static long[] machineTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
      return new long[] {total - idle, total};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /**
   * CPU time of {@code process} and every process under it (user + system, and of children it
   * already reaped), from {@code /proc}: a build's tools and a database's backends count.
   */
  private static Duration cpu(ProcessHandle process) {
    long ticks = ticks(process.pid());
    for (ProcessHandle descendant : process.descendants().toList()) {
      ticks += ticks(descendant.pid());
    }
    return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS);
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // After "(comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11])
          + Long.parseLong(fields[12])
          + Long.parseLong(fields[13])
          + Long.parseLong(fields[14]);
    } catch (java.io.IOException | RuntimeException e) {
      return 0; // gone meanwhile
    }
  }

  /** The main process of a Testcontainers container, as this machine's /proc sees it. */
  private static ProcessHandle containerProcess(String containerId) {
    long pid =
        org.testcontainers.DockerClientFactory.instance()
            .client()
            .inspectContainerCmd(containerId)
            .exec()
            .getState()
            .getPidLong();
    return ProcessHandle.of(pid).orElseThrow();
  }

  /**
   * One stage drained by some instances.
   *
   * @param lastReadyAfter the last instance ready after the first (launched at once)
   * @param machineBusy the share of the machine's CPU time (all cores) not idle meanwhile
   * @param postgresCpu CPU time PostgreSQL (the shared database server) used meanwhile
   * @param kafkaCpu CPU time the Kafka broker used meanwhile
   * @param unitMs each unit from its first sighting as claimed to its outcome
   * @param cpu CPU time each instance used from the first ready to the last outcome
   * @param unitsPerInstance units each instance was seen holding
   * @param unseen units finished before any sample saw them claimed (counted in no instance)
   */
  private record StageResult(
      Stage stage,
      int instances,
      Duration lastReadyAfter,
      double machineBusy,
      Duration postgresCpu,
      Duration kafkaCpu,
      int finished,
      Duration wall,
      List<Long> unitMs,
      List<Duration> cpu,
      List<Long> unitsPerInstance,
      long unseen,
      long claimedMoreThanOnce,
      int outcomeEvents,
      long duplicateOutcomes) {

    String label() {
      return stage + " with " + instances + " instance(s)";
    }

    double perSecond() {
      return finished * 1000.0 / Math.max(1, wall.toMillis());
    }
  }

  private static long percentile(List<Long> values, int percentile) {
    return values.isEmpty() ? -1 : PlatformBenchmarkIT.percentile(values, percentile);
  }

  private static void print(Map<Stage, List<StageResult>> results) {
    System.out.printf(
        "%nscale-out: %d units per stage (%d applications x %d pushes), one instance, then two, on"
            + " the same platform (%d cores)%n",
        UNITS, APPLICATIONS, COMMITS, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "  %-7s %4s %7s %8s %7s %7s %5s %6s %8s %7s  %-18s %-9s %-12s %s%n",
        "stage",
        "inst",
        "wall s",
        "units/s",
        "p50 ms",
        "p99 ms",
        "timed",
        "gain",
        "2nd lag",
        "machine",
        "CPU s per instance",
        "PG/Kafka",
        "units seen",
        "exactly once");
    for (List<StageResult> stageResults : results.values()) {
      double one = stageResults.get(0).perSecond();
      for (StageResult result : stageResults) {
        System.out.printf(
            "  %-7s %4d %7.1f %8.2f %7d %7d %5d %5.2fx %7.1fs %6.0f%%  %-18s %-9s %-12s %s%n",
            result.stage().name().toLowerCase(),
            result.instances(),
            result.wall().toMillis() / 1000.0,
            result.perSecond(),
            percentile(result.unitMs(), 50),
            percentile(result.unitMs(), 99),
            result.unitMs().size(),
            result.perSecond() / one,
            result.lastReadyAfter().toMillis() / 1000.0,
            result.machineBusy() * 100,
            result.cpu().stream()
                .map(c -> String.format("%.1f", c.toMillis() / 1000.0))
                .toList()
                .toString(),
            String.format(
                "%.1f/%.1f",
                result.postgresCpu().toMillis() / 1000.0, result.kafkaCpu().toMillis() / 1000.0),
            result.unitsPerInstance() + (result.unseen() > 0 ? " +" + result.unseen() : ""),
            String.format(
                "%d/%d outcomes, %d claimed twice, %d duplicate events",
                result.outcomeEvents(),
                result.finished(),
                result.claimedMoreThanOnce(),
                result.duplicateOutcomes()));
      }
    }
    System.out.println(
        "  p50/p99: a unit from its first sighting as claimed (the queue table sampled every "
            + SAMPLE.toMillis()
            + " ms) to its outcome, over the units seen running (timed); wall: first instance ready to the last outcome; 2nd lag: the second"
            + " instance ready after the first (both launched at once); machine: share of all"
            + " cores busy meanwhile; CPU: each instance's user+system time from its ready, its"
            + " child processes (a build's tools) included; PG/Kafka: CPU s of the shared"
            + " PostgreSQL server and broker meanwhile; units seen: per instance, + those finished between two samples");
  }
}

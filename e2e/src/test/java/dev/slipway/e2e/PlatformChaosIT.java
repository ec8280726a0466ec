package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.e2e.ChaosApplications.Push;
import dev.slipway.e2e.PipelineLedger.Event;
import dev.slipway.events.Topics;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.launcher.platform.Platform;
import dev.slipway.launcher.platform.PlatformService;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.TestTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The delivery guarantees under fire. The whole platform runs (the same topology as {@code
 * ./slipway up}); a Git host pushes commits across several applications, redelivering what is not
 * accepted, while services are SIGKILLed in the middle of that work and started again. Afterwards,
 * read from Kafka and from the audit store: every accepted push has exactly one build.done and one
 * scan.done, a deploy.requested and a deploy.done for dev and for staging, all successful; no other
 * run appeared; every event is in the audit store exactly once; nothing went to a dead-letter
 * topic; and the audit chain verifies.
 *
 * <p>{@code ./slipway test} runs the short case (50 pushes, all five services killed at once). The
 * long ones, tagged {@code chaos}, run with {@code ./slipway chaos}: 200 pushes across 10
 * applications while each service is killed once in turn and the broker restarted once; and the
 * same load while PostgreSQL is stopped for 30 s.
 *
 * <p>The platform is the test JVM's shared one ({@link PlatformUnderTest#shared}): the console's
 * browser test runs on it first; this test's applications are its own, and only theirs are counted.
 */
class PlatformChaosIT {

  private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(6);

  /** What each accepted push must lead to: one event of each stage. */
  private static final List<String> STAGES =
      List.of(
          "commit.received",
          "build.done",
          "scan.done",
          "deploy.requested dev",
          "deploy.done dev",
          "deploy.requested staging",
          "deploy.done staging");

  private static PlatformUnderTest platform;
  private static PlatformClient client;

  @BeforeAll
  static void startPlatform() {
    platform = PlatformUnderTest.shared();
    client = new PlatformClient(platform.endpoints());
  }

  @BeforeEach
  void everythingRuns() {
    platform.platform().start();
  }

  @Test
  void allFiveServicesKilledAtOnceMidWorkLoseAndDoubleNothing() throws Exception {
    Platform topology = platform.platform();
    run(
        "chaos-all",
        5,
        10,
        Duration.ofMillis(250),
        List.of(
            load -> {
              // Mid-work: the first runs are through, others are at every stage, pushes still come.
              load.awaitThroughStaging(1, Duration.ofSeconds(90));
              note("killing all five services (SIGKILL); %s", load.pending());
              Instant begin = Instant.now();
              for (PlatformService service : PlatformService.values()) {
                topology.kill(service);
              }
              topology.start();
              note("all five services are back after %.1f s", seconds(begin));
            }));
  }

  @Test
  @Tag("chaos")
  void eachServiceKilledOnceAndTheBrokerRestartedMidWorkLoseAndDoubleNothing() throws Exception {
    Platform topology = platform.platform();
    List<Consumer<Load>> chaos = new ArrayList<>();
    chaos.add(load -> sleep(Duration.ofSeconds(3)));
    for (PlatformService service : PlatformService.values()) {
      chaos.add(load -> killAndRestart(topology, service, load));
      if (service == PlatformService.SCAN) {
        chaos.add(load -> restartBroker(load));
      }
    }
    run("chaos-kill", 10, 20, Duration.ofMillis(100), chaos);
  }

  @Test
  @Tag("chaos")
  void postgresStoppedForThirtySecondsUnderLoadLosesAndDoublesNothing() throws Exception {
    run(
        "chaos-db",
        10,
        20,
        Duration.ofMillis(100),
        List.of(
            load -> {
              sleep(Duration.ofSeconds(3));
              note("stopping PostgreSQL for 30 s; %s", load.pending());
              SlipwayInfrastructure.stopPostgres();
              sleep(Duration.ofSeconds(30));
              SlipwayInfrastructure.startPostgres();
              note("PostgreSQL started again");
            }));
  }

  /**
   * The load while chaos runs: the applications and the Git host's accepted pushes, read to say
   * where the work stands.
   */
  record Load(Set<String> applications, RetryingGitHost host) {

    /** Accepted runs not yet past each stage, as the audit store shows them now. */
    String pending() {
      Map<String, Set<String>> reached = reached();
      Set<String> accepted = new HashSet<>(host.runs().values());
      return String.format(
          "%d runs accepted; not yet built %d, scanned %d, through staging %d",
          accepted.size(),
          missing(accepted, reached.get(Topics.BUILD_DONE)),
          missing(accepted, reached.get(Topics.SCAN_DONE)),
          missing(accepted, reached.get(Topics.DEPLOY_DONE + " staging")));
    }

    /** Waits until {@code runs} runs have their staging deploy.done in the audit store. */
    void awaitThroughStaging(int runs, Duration timeout) {
      Instant deadline = Instant.now().plus(timeout);
      while (reached().get(Topics.DEPLOY_DONE + " staging").size() < runs) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("no run went through staging within " + timeout);
        }
        sleep(Duration.ofSeconds(1));
      }
    }

    private Map<String, Set<String>> reached() {
      String auditor = TestTokens.token("chaos", "auditor");
      Map<String, Set<String>> reached = new HashMap<>();
      for (String stage :
          List.of(Topics.BUILD_DONE, Topics.SCAN_DONE, Topics.DEPLOY_DONE + " staging")) {
        reached.put(stage, new HashSet<>());
      }
      for (String application : applications) {
        for (JsonNode row : PipelineLedger.auditRows(client, auditor, application)) {
          Event event = PipelineLedger.fromAudit(row);
          Set<String> runs = reached.get(event.stage());
          if (runs != null) {
            runs.add(event.runId());
          }
        }
      }
      return reached;
    }

    private static long missing(Set<String> accepted, Set<String> reached) {
      return accepted.stream().filter(run -> !reached.contains(run)).count();
    }
  }

  /**
   * Pushes {@code commits} commits to each of {@code applications} applications while {@code chaos}
   * runs one action after another, waits until the pipeline settles, and checks what it recorded.
   */
  private void run(
      String prefix, int applicationCount, int commits, Duration pace, List<Consumer<Load>> chaos)
      throws Exception {
    String tag = prefix + "-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    List<Push> pushes =
        ChaosApplications.create(
            client,
            platform.gitRoot(),
            Path.of("target", "e2e", "chaos"),
            tag,
            applicationCount,
            commits);
    Set<String> applications = pushes.stream().map(Push::application).collect(Collectors.toSet());
    Instant start = Instant.now();
    try (RetryingGitHost host = new RetryingGitHost(client)) {
      Load load = new Load(applications, host);
      // Each action once the previous one is over, while the pushes go on.
      CompletableFuture<Void> chaosDone =
          CompletableFuture.runAsync(() -> chaos.forEach(action -> action.accept(load)));
      host.deliver(pushes, pace, SETTLE_TIMEOUT);
      assertThat(host.awaitAnswers(SETTLE_TIMEOUT)).as("every push answered").isTrue();
      chaosDone.join();
      note(
          "%d pushes accepted, %d refused, %d redeliveries, after %.1f s",
          host.runs().size(), host.refused().size(), host.redeliveries(), seconds(start));
      assertThat(host.refused()).as("pushes refused for good").isEmpty();
      assertThat(host.runs()).hasSize(pushes.size());

      Set<String> runs = new HashSet<>(host.runs().values());
      assertThat(runs).as("one run per push").hasSize(pushes.size());
      awaitSettled(applications, runs);
      note("the pipeline settled after %.1f s", seconds(start));
      check(applications, runs, host.runs().size(), seconds(start));
    }
  }

  /** Waits until every run has its staging deploy.done in the audit store. */
  private void awaitSettled(Set<String> applications, Set<String> runs) {
    String auditor = TestTokens.token("chaos", "auditor");
    Instant deadline = Instant.now().plus(SETTLE_TIMEOUT);
    Set<String> done = new HashSet<>();
    Instant nextNote = Instant.now();
    while (Instant.now().isBefore(deadline)) {
      done.clear();
      for (String application : applications) {
        for (JsonNode row : PipelineLedger.auditRows(client, auditor, application)) {
          if (Topics.DEPLOY_DONE.equals(row.path("topic").asText())
              && "staging".equals(row.path("environment").asText())) {
            done.add(row.path("runId").asText());
          }
        }
      }
      if (done.containsAll(runs)) {
        return;
      }
      if (Instant.now().isAfter(nextNote)) {
        note("%d of %d runs through staging", done.size(), runs.size());
        nextNote = Instant.now().plusSeconds(15);
      }
      sleep(Duration.ofSeconds(1));
    }
    Set<String> missing = new HashSet<>(runs);
    missing.removeAll(done);
    note("%d runs did not reach staging within %s: %s", missing.size(), SETTLE_TIMEOUT, missing);
  }

  private void check(Set<String> applications, Set<String> runs, int accepted, double seconds) {
    List<Event> records =
        PipelineLedger.kafkaRecords(SlipwayInfrastructure.bootstrapServers(), applications);
    List<Event> dead = records.stream().filter(e -> Topics.isDlq(e.topic())).toList();
    List<Event> published = records.stream().filter(e -> !Topics.isDlq(e.topic())).toList();
    Map<String, Event> kafkaEvents = new LinkedHashMap<>();
    published.forEach(e -> kafkaEvents.putIfAbsent(e.id(), e));

    String auditor = TestTokens.token("chaos", "auditor");
    List<JsonNode> rows = new ArrayList<>();
    applications.forEach(a -> rows.addAll(PipelineLedger.auditRows(client, auditor, a)));
    Map<String, Long> rowsPerEvent =
        rows.stream()
            .collect(Collectors.groupingBy(r -> r.path("eventId").asText(), Collectors.counting()));
    List<Event> audited = rows.stream().map(PipelineLedger::fromAudit).toList();

    Map<String, Map<String, Integer>> kafkaPerRun =
        PipelineLedger.distinctPerRun(kafkaEvents.values());
    Map<String, Map<String, Integer>> auditPerRun = PipelineLedger.distinctPerRun(audited);
    Map<String, Integer> stageTotals = new TreeMap<>();
    kafkaEvents.values().forEach(e -> stageTotals.merge(e.stage(), 1, Integer::sum));
    Map<String, Long> outcomes =
        kafkaEvents.values().stream()
            .filter(e -> !e.outcome().isEmpty())
            .collect(
                Collectors.groupingBy(
                    e -> e.stage() + " " + e.outcome(), TreeMap::new, Collectors.counting()));

    System.out.printf(
        "%n[chaos] %d pushes accepted over %d applications; settled after %.1f s%n"
            + "[chaos] Kafka: %d records, %d distinct events (%d records republished with the same"
            + " id), %d on dead-letter topics%n"
            + "[chaos] per stage: %s%n[chaos] outcomes: %s%n"
            + "[chaos] audit store: %d rows, %d distinct events, %d events stored more than once%n",
        accepted,
        applications.size(),
        seconds,
        published.size(),
        kafkaEvents.size(),
        published.size() - kafkaEvents.size(),
        dead.size(),
        stageTotals,
        outcomes,
        rows.size(),
        rowsPerEvent.size(),
        rowsPerEvent.values().stream().filter(n -> n > 1).count());

    // Every accepted push, and nothing else, went through every stage exactly once.
    assertThat(kafkaPerRun.keySet()).as("runs on Kafka").isEqualTo(runs);
    Map<String, Integer> once = new LinkedHashMap<>();
    STAGES.forEach(stage -> once.put(stage, 1));
    List<String> wrong = new ArrayList<>();
    for (String run : runs) {
      if (!once.equals(kafkaPerRun.get(run))) {
        wrong.add(run + " " + kafkaPerRun.get(run));
      }
    }
    assertThat(wrong).as("runs whose events on Kafka are not one per stage").isEmpty();
    assertThat(outcomes)
        .as("every build, scan and rollout succeeded")
        .containsOnlyKeys(
            "build.done SUCCEEDED",
            "scan.done PASSED",
            "deploy.done dev SUCCEEDED",
            "deploy.done staging SUCCEEDED");
    assertThat(dead).as("records on dead-letter topics").isEmpty();

    // The audit store holds each of those events exactly once, and nothing else of these runs.
    assertThat(rowsPerEvent)
        .as("audit rows per event")
        .allSatisfy((id, n) -> assertThat(n).isOne());
    assertThat(rowsPerEvent.keySet()).as("audited events").isEqualTo(kafkaEvents.keySet());
    assertThat(auditPerRun).as("audited stages per run").isEqualTo(kafkaPerRun);
    assertThat(rows)
        .as("no audit row records a conflicting copy")
        .allSatisfy(row -> assertThat(row.path("conflictOf").isNull()).isTrue());
    assertThat(chainVerifies()).as("the audit chain verifies").isTrue();
  }

  /** Verifies the whole audit chain, chunk by chunk, as an auditor would. */
  private static boolean chainVerifies() {
    String auditor = TestTokens.token("chaos", "auditor");
    String from = "1";
    while (!from.isEmpty()) {
      JsonNode report =
          client
              .get(client.endpoints().audit() + "/api/audit/verify?from=" + from, auditor)
              .expect(200)
              .json();
      if (!"OK".equals(report.path("status").asText())) {
        note("the audit chain does not verify: %s", report);
        return false;
      }
      from = report.path("nextFrom").isNumber() ? report.path("nextFrom").asText() : "";
    }
    return true;
  }

  private static void killAndRestart(Platform topology, PlatformService service, Load load) {
    Instant begin = Instant.now();
    String pending = load.pending();
    topology.kill(service);
    note("killed %s (SIGKILL); %s", service, pending);
    topology.startService(service);
    note("%s is back after %.1f s", service, seconds(begin));
  }

  private static void restartBroker(Load load) {
    Instant begin = Instant.now();
    note("restarting the Kafka broker; %s", load.pending());
    SlipwayInfrastructure.restartKafka();
    note("the Kafka broker is back after %.1f s", seconds(begin));
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double seconds(Instant since) {
    return Duration.between(since, Instant.now()).toMillis() / 1000.0;
  }

  private static void note(String format, Object... args) {
    System.out.printf("[chaos] " + format + "%n", args);
  }
}

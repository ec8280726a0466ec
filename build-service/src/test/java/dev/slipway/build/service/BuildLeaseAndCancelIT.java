package dev.slipway.build.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.build.BuildOutcome;
import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.build.repository.BuildQueue;
import dev.slipway.build.repository.Claim;
import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.BuildDone.TestCounts;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.LeaseWatch;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import dev.slipway.work.queue.Lease;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Builds that are stopped: cancelled by a user, or abandoned by an instance that died. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildLeaseAndCancelIT {

  /** The lease in tests (application.properties, profile test). */
  private static final Duration LEASE = Duration.ofSeconds(4);

  private final Pool pool;
  private final BuildQueue builds;

  BuildLeaseAndCancelIT(Pool pool, BuildQueue builds) {
    this.pool = pool;
    this.builds = builds;
  }

  /**
   * The step leaves a background child, a grandchild and a process that escaped into a session of
   * its own, each a {@code sleep} with a duration no other process of this host has. Cancel ends
   * the build CANCELLED and, by the time it has ended, its container is gone and none of those
   * processes is left on the host: they all died with the step's PID namespace.
   */
  @Test
  void cancelMidStepEndsTheBuildCancelledAndLeavesNoProcess() throws Exception {
    String application = SampleEvents.newApplication();
    int base = 3000 + (int) (Math.random() * 5000);
    String id = startLongBuild(application, base);
    assertThat(sleepers(base)).as("the step's processes, seen from the host").hasSize(4);

    given()
        .auth()
        .oauth2(TestTokens.token("dora", "deployer"))
        .post("/api/builds/" + id + "/cancel")
        .then()
        .statusCode(202);

    JsonPath build = Builds.awaitEnded(application);
    assertThat(build.getString("status")).isEqualTo("CANCELLED");
    assertThat(build.getString("failure.step")).isEqualTo("long");
    assertThat(build.getString("failure.reason")).isEqualTo("cancelled by dora");
    assertThat(build.getString("cancelRequestedBy")).isEqualTo("dora");
    // No waiting: the executor returns only once every process of the step's container ended.
    assertThat(sleepers(base)).as("processes left after the cancel").isEmpty();
    // The exited container itself is removed in the background once the build is over.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(containersOf(id)).as("containers of the build").isEmpty());
    assertThat(Builds.buildDones(application, 1).get(0).data().status())
        .isEqualTo(BuildStatus.CANCELLED);
    given()
        .auth()
        .oauth2(TestTokens.token("dora", "deployer"))
        .post("/api/builds/" + id + "/cancel")
        .then()
        .statusCode(409)
        .contentType("application/problem+json");
  }

  /** The names of podman's containers (running or exited) of build {@code buildId}. */
  private static List<String> containersOf(String buildId) throws Exception {
    String compact = buildId.replaceAll("[^a-z0-9]", "");
    Process ps =
        new ProcessBuilder(
                "podman",
                "ps",
                "--all",
                "--format",
                "{{.Names}}",
                "--filter",
                "name=^slipway-" + compact.substring(0, Math.min(12, compact.length())) + "-")
            .redirectErrorStream(true)
            .start();
    String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ps.waitFor()).as("podman ps: %s", out).isZero();
    return out.lines().filter(line -> !line.isBlank()).toList();
  }

  /** Host processes running {@code sleep base..base+3}. */
  private static List<String> sleepers(int base) throws java.io.IOException {
    List<String> found = new java.util.ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ').strip();
          for (int i = 0; i < 4; i++) {
            if (cmdline.equals("sleep " + (base + i))) {
              found.add(proc.getFileName() + ": " + cmdline);
            }
          }
        } catch (java.io.IOException e) {
          // the process ended while it was listed
        }
      }
    }
    return found;
  }

  /**
   * An instance claimed the build, started it and died: its lease (4 s in tests) is no longer
   * renewed. This instance's workers take the build over once the lease expired, build it, and the
   * run gets exactly one build.done.
   */
  @Test
  void buildOfAnInstanceThatDiedIsTakenOverWhenItsLeaseExpires() {
    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: build
                    run: echo "built by the survivor"
                image:
                  builder: dockerfile
                """,
                "Dockerfile",
                "FROM scratch\nCOPY .slipway.yaml /x\n"));
    Envelope<CommitReceived> commit =
        Builds.commit(application, repo, "refs/heads/main", "a change");
    String buildId = BuildQueue.buildId(commit.runId(), 1);
    // What the dead instance left: the build claimed and running, a step started, a few log lines.
    pool.withTransaction(
            connection ->
                connection
                    .preparedQuery(
                        """
                        INSERT INTO builds (id, run_id, attempt, event_id, application,
                            commit_sha, ref, repo_url, commit_event, status, queued_at,
                            started_at, lease_owner, lease_token, lease_until, attempts)
                        VALUES ($1, $2, 1, $3, $4, $5, 'refs/heads/main', $6, $7, 'RUNNING',
                            now(), now(), 'instance-that-died/0', nextval('work_lease_token'),
                            now() + interval '2 seconds', 1)
                        """)
                    .execute(
                        Tuple.from(
                            List.of(
                                buildId,
                                commit.runId(),
                                commit.id(),
                                application,
                                repo.commit(),
                                commit.data().repoUrl(),
                                Buffer.buffer(EventJson.writeEvent(commit)))))
                    .flatMap(
                        done ->
                            connection
                                .preparedQuery(
                                    """
                                    INSERT INTO build_log (build_id, seq, line)
                                    VALUES ($1, 1, '==> step build: started on the dead instance')
                                    """)
                                .execute(Tuple.of(buildId))))
        .await()
        .atMost(Duration.ofSeconds(10));

    JsonPath build = Builds.awaitEnded(application);

    assertThat(build.getString("id")).isEqualTo(buildId);
    assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
    String log = Builds.log(buildId);
    assertThat(log).contains("started on the dead instance");
    assertThat(log).contains("taken over by").contains("built by the survivor");
    var dones = Builds.buildDones(application, 1);
    assertThat(dones).hasSize(1);
    assertThat(dones.get(0).id()).isEqualTo(Envelope.derivedId("build.done", buildId));
    assertThat(dones.get(0).data().status()).isEqualTo(BuildStatus.SUCCEEDED);
  }

  /**
   * The database freezes while a build runs here (the PostgreSQL container is paused right after a
   * renewal: no renewal gets through, no error comes back either). The lease surely lasts until the
   * {@code lease_until} that renewal wrote, no longer: by then the worker must have stopped the
   * step (every process of it gone), and it never writes an outcome for that claim. Once the
   * database is back and the lease has run out, the build is taken over (a new claim, a new fence),
   * and its only outcome is the new holder's.
   */
  @Test
  void workerThatCannotRenewStopsTheBuildBeforeTheLeaseCanPassOn() throws Exception {
    String application = SampleEvents.newApplication();
    int base = 3000 + (int) (Math.random() * 5000);
    String id = startLongBuild(application, base);

    // Freeze right after a renewal, so the test knows until when the lease surely lasts.
    Instant leaseUntil = nextRenewal(id);
    long frozen = System.nanoTime();
    SlipwayInfrastructure.pausePostgres();
    Instant stopped;
    try {
      while (!sleepers(base).isEmpty()
          && System.nanoTime() - frozen < LEASE.multipliedBy(3).toNanos()) {
        Thread.sleep(20);
      }
      stopped = Instant.now();
      // Keep the database away until the lease surely ran out there.
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), leaseUntil).toMillis() + 1000));
    } finally {
      SlipwayInfrastructure.unpausePostgres();
    }
    System.out.printf(
        "lease %d ms: step stopped %d ms before the lease could pass on%n",
        LEASE.toMillis(), Duration.between(stopped, leaseUntil).toMillis());
    assertThat(sleepers(base)).as("processes of the claim that could not renew").isEmpty();
    assertThat(stopped)
        .as("when the step's processes were gone (the lease ran out at %s)", leaseUntil)
        .isBefore(leaseUntil);

    // The take-over runs the step again; stop it, so the test ends.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Builds.log(id).contains("taken over by") && sleepers(base).size() == 4);
    assertThat(Builds.one(id).getString("status")).isEqualTo("RUNNING");
    given()
        .auth()
        .oauth2(TestTokens.token("dora", "deployer"))
        .post("/api/builds/" + id + "/cancel")
        .then()
        .statusCode(202);
    JsonPath build = Builds.awaitEnded(application);
    assertThat(build.getString("status")).isEqualTo("CANCELLED");
    // Not "cancelled by lease lost": the holder that gave up wrote nothing.
    assertThat(build.getString("failure.reason")).isEqualTo("cancelled by dora");
    var dones = Builds.buildDones(application, 1);
    assertThat(dones).hasSize(1);
    assertThat(dones.get(0).data().status()).isEqualTo(BuildStatus.CANCELLED);
    assertThat(dones.get(0).data().failure().reason()).isEqualTo("cancelled by dora");
  }

  /**
   * A cancel accepted by another instance (simulated: the row written as its API would) reaches the
   * worker here through its next renewal, which stops the step; the build ends CANCELLED by whoever
   * asked.
   */
  @Test
  void cancelAcceptedOnAnotherInstanceStopsTheBuildAtTheNextRenewal() throws Exception {
    String application = SampleEvents.newApplication();
    int base = 3000 + (int) (Math.random() * 5000);
    String id = startLongBuild(application, base);

    sql(
        "UPDATE builds SET status = 'CANCELLING', cancel_requested_by = 'olga'"
            + " WHERE id = $1 AND status = 'RUNNING'",
        id);

    JsonPath build = Builds.awaitEnded(application);
    assertThat(build.getString("status")).isEqualTo("CANCELLED");
    assertThat(build.getString("failure.step")).isEqualTo("long");
    assertThat(build.getString("failure.reason")).isEqualTo("cancelled by olga");
    assertThat(sleepers(base)).as("processes left after the cancel").isEmpty();
    assertThat(Builds.buildDones(application, 1).get(0).data().status())
        .isEqualTo(BuildStatus.CANCELLED);
  }

  /**
   * The fenced finish, with a second owner simulated by writing the row: instance A held the build,
   * instance B took it over (new owner, new claim), then a user cancelled it (202). A's late finish
   * changes nothing; B's steps all succeeded right after the cancel, yet the build ends CANCELLED,
   * and its one build.done says so.
   */
  @Test
  void cancelAcceptedWhileRunningWinsOverASuccessAndAFormerHolderWritesNothing() {
    String application = SampleEvents.newApplication();
    Envelope<CommitReceived> commit =
        Builds.commit(application, GitFixture.create(Map.of("a", "b")), "refs/heads/main", "x");
    String buildId = BuildQueue.buildId(commit.runId(), 1);
    // Leases far ahead: this instance's workers leave the row alone.
    long tokenA = insertRunning(commit, buildId, "instance-a/0");
    Claim a = claim(buildId, "instance-a/0", tokenA, 1, commit);
    long tokenB =
        token(
            "UPDATE builds SET lease_owner = 'instance-b/0', attempts = attempts + 1,"
                + " lease_token = nextval('work_lease_token'),"
                + " lease_until = now() + interval '10 minutes' WHERE id = $1"
                + " RETURNING lease_token",
            buildId);
    Claim b = claim(buildId, "instance-b/0", tokenB, 2, commit);

    given()
        .auth()
        .oauth2(TestTokens.token("dora", "deployer"))
        .post("/api/builds/" + buildId + "/cancel")
        .then()
        .statusCode(202);
    // The API still says RUNNING (the table says CANCELLING), with who asked.
    assertThat(Builds.one(buildId).getString("status")).isEqualTo("RUNNING");
    assertThat(Builds.one(buildId).getString("cancelRequestedBy")).isEqualTo("dora");

    BuildOutcome succeeded =
        new BuildOutcome(
            dev.slipway.build.BuildStatus.SUCCEEDED,
            new ImageRef(
                "127.0.0.1:5000/" + application + "@sha256:" + "ab".repeat(32),
                "sha256:" + "ab".repeat(32)),
            null,
            null,
            0,
            new TestCounts(3, 0, 0),
            null,
            Map.of("steps", 10L),
            List.of(),
            1234);
    Optional<BuildOutcome> byA =
        builds
            .finish(a, succeeded, o -> BuildEvents.buildDone(buildId, commit, o))
            .await()
            .atMost(Duration.ofSeconds(10));
    assertThat(byA).as("the finish of the holder that lost the lease").isEmpty();
    assertThat(Builds.one(buildId).getString("status")).isEqualTo("RUNNING");

    Optional<BuildOutcome> byB =
        builds
            .finish(b, succeeded, o -> BuildEvents.buildDone(buildId, commit, o))
            .await()
            .atMost(Duration.ofSeconds(10));
    assertThat(byB).map(BuildOutcome::status).contains(dev.slipway.build.BuildStatus.CANCELLED);

    JsonPath build = Builds.one(buildId);
    assertThat(build.getString("status")).isEqualTo("CANCELLED");
    assertThat(build.getString("failure.step")).isEqualTo("finish");
    assertThat(build.getString("failure.reason")).isEqualTo("cancelled by dora");
    assertThat(build.getString("image")).isNull();
    var dones = Builds.buildDones(application, 1);
    assertThat(dones).hasSize(1);
    assertThat(dones.get(0).data().status()).isEqualTo(BuildStatus.CANCELLED);
    assertThat(dones.get(0).data().image()).isNull();
  }

  /**
   * Waits for the next renewal of {@code id}'s lease and returns the new {@code lease_until}: the
   * lease lasts at least until then.
   */
  private Instant nextRenewal(String id) throws InterruptedException {
    return new LeaseWatch(pool, "builds", "id").nextRenewal(id, LEASE);
  }

  /** Starts a build whose one step runs four {@code sleep}s; returns once they all started. */
  private static String startLongBuild(String application, int base) {
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: long
                    run: |
                      sh -c 'exec sleep %1$d' &
                      setsid sh -c 'sleep %2$d' &
                      sh -c 'sleep %3$d & wait' &
                      echo "all started"
                      sleep %4$d
                image:
                  builder: dockerfile
                """
                    .formatted(base, base + 1, base + 2, base + 3)));
    Builds.start(application, repo);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !Builds.list(application).getList("items").isEmpty()
                    && Builds.log(Builds.list(application).getString("items[0].id"))
                        .contains("all started"));
    // "all started" is echoed once the sleeps were forked: wait until each one runs.
    await().atMost(Duration.ofSeconds(10)).until(() -> sleepers(base).size() == 4);
    return Builds.list(application).getString("items[0].id");
  }

  /** A build running under {@code owner}'s lease, which lasts 10 minutes; its fencing token. */
  private long insertRunning(Envelope<CommitReceived> commit, String buildId, String owner) {
    return pool.preparedQuery(
            """
            INSERT INTO builds (id, run_id, attempt, event_id, application, commit_sha, ref,
                repo_url, commit_event, status, queued_at, started_at, lease_owner, lease_token,
                lease_until, attempts)
            VALUES ($1, $2, 1, $3, $4, $5, 'refs/heads/main', $6, $7, 'RUNNING', now(), now(),
                $8, nextval('work_lease_token'), now() + interval '10 minutes', 1)
            RETURNING lease_token
            """)
        .execute(
            Tuple.from(
                List.of(
                    buildId,
                    commit.runId(),
                    commit.id(),
                    commit.subject(),
                    commit.data().commitSha(),
                    commit.data().repoUrl(),
                    Buffer.buffer(EventJson.writeEvent(commit)),
                    owner)))
        .await()
        .atMost(Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }

  private long token(String statement, String id) {
    return pool.preparedQuery(statement)
        .execute(Tuple.of(id))
        .await()
        .atMost(Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }

  private void sql(String statement, String id) {
    pool.preparedQuery(statement).execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(10));
  }

  private static Claim claim(
      String buildId, String owner, long token, int attempts, Envelope<CommitReceived> commit) {
    return new Claim(
        new Lease(buildId, owner, token, attempts, "RUNNING", System.nanoTime()), 1, commit, null);
  }
}

package dev.slipway.build.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.build.executor.LocalExecutor;
import dev.slipway.build.executor.StepExecutor;
import dev.slipway.build.repository.BuildRepository;
import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Builds that are stopped: cancelled by a user, or abandoned by an instance that died. */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class BuildLeaseAndCancelIT {

  private final Pool pool;
  private final StepExecutor executor;

  BuildLeaseAndCancelIT(Pool pool, StepExecutor executor) {
    this.pool = pool;
    this.executor = executor;
  }

  /**
   * The step leaves a background child, a grandchild and a process that escaped into a session of
   * its own; each writes its pid as the host sees it ({@code /proc/self} is the host's proc, also
   * inside the step's PID namespace). Cancel ends the build CANCELLED and, by the time it has
   * ended, every one of them has been killed and reaped: none is left, not even as a zombie.
   */
  @Test
  void cancelMidStepEndsTheBuildCancelledAndLeavesNoProcess() throws Exception {
    String application = SampleEvents.newApplication();
    Path pids = Path.of("target", "pids-" + application).toAbsolutePath();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: long
                    run: |
                      sh -c 'read -r me rest < /proc/self/stat; echo $me >> %1$s; exec sleep 300' &
                      setsid sh -c 'read -r me rest < /proc/self/stat; echo $me >> %1$s; exec sleep 301' &
                      sh -c 'read -r me rest < /proc/self/stat; echo $me >> %1$s; sleep 302'
                image:
                  builder: dockerfile
                """
                    .formatted(pids)));
    Builds.start(application, repo);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 3);
    List<Long> started =
        Files.readAllLines(pids).stream().map(p -> Long.parseLong(p.strip())).toList();
    String id = Builds.list(application).getString("items[0].id");

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
    if (isolation() == LocalExecutor.Isolation.PID_NAMESPACE) {
      // No waiting: the executor returns only once the kernel has reaped the step's namespace.
      assertThat(started)
          .allSatisfy(
              pid ->
                  assertThat(Path.of("/proc", pid.toString()))
                      .as("process %s", pid)
                      .doesNotExist());
    } else {
      // Without a namespace, killed orphans are the host init's to reap: dead (perhaps a zombie
      // for a moment) is what this executor can promise.
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(started)
                      .allSatisfy(
                          pid -> assertThat(isRunning(pid)).as("process %s", pid).isFalse()));
    }
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

  private LocalExecutor.Isolation isolation() {
    return ((LocalExecutor) ClientProxy.unwrap(executor)).isolation();
  }

  private static boolean isRunning(long pid) throws java.io.IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    String content = Files.readString(stat);
    // The state follows the command name in parentheses; Z is a zombie, X dead.
    char state = content.charAt(content.lastIndexOf(')') + 2);
    return state != 'Z' && state != 'X';
  }

  /**
   * An instance claimed the build, started it and died: its lease (3 s in tests) is no longer
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
    String buildId = BuildRepository.buildId(commit.runId(), 1);
    // What the dead instance left: the build claimed and running, a step started, a few log lines.
    pool.withTransaction(
            connection ->
                connection
                    .preparedQuery(
                        """
                        INSERT INTO builds (id, run_id, attempt, event_id, application,
                            commit_sha, ref, repo_url, commit_event, status, queued_at,
                            started_at, owner, lease_until, claims)
                        VALUES ($1, $2, 1, $3, $4, $5, 'refs/heads/main', $6, $7, 'RUNNING',
                            now(), now(), 'instance-that-died/0', now() + interval '2 seconds', 1)
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
}

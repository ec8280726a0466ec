package dev.slipway.build.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.build.repository.BuildRepository;
import dev.slipway.events.BuildDone.BuildStatus;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
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

  BuildLeaseAndCancelIT(Pool pool) {
    this.pool = pool;
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
                !Builds.list(application).getList("builds").isEmpty()
                    && Builds.log(Builds.list(application).getString("builds[0].id"))
                        .contains("all started"));
    String id = Builds.list(application).getString("builds[0].id");
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
    // No waiting: the executor returns only once the step's container is gone.
    assertThat(sleepers(base)).as("processes left after the cancel").isEmpty();
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

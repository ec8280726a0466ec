package dev.slipway.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.deploy.Progress;
import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.LeaseLostException;
import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.Envelope;
import dev.slipway.sandbox.SandboxServer.DeploymentWrite;
import dev.slipway.testsupport.LeaseWatch;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.work.queue.Lease;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The rollout lease as work/'s leased queue: every write of a rollout's step or outcome is fenced
 * by owner and token, and a worker that cannot renew its lease stops acting on the cluster before
 * the lease can pass on.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class RolloutLeaseIT {

  /** The lease in tests (application.properties, profile test). */
  private static final Duration LEASE = Duration.ofSeconds(5);

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;
  @Inject Pool pool;
  @Inject RolloutWorkRepository work;
  @Inject RolloutObjectsRepository objects;
  @Inject RolloutOutcomes outcomes;
  @Inject RolloutWorker worker;

  /**
   * A worker holds a rollout; its lease is taken over by a new claim (a new fencing token, under
   * the very same owner name, as when an instance that stalled claims it again). Every write the
   * former claim tries (a step, a log line, the objects it created, a command done, an error, the
   * outcome with its deploy.done) is refused and changes nothing; the current claim's outcome is
   * the only one, and exactly one deploy.done reaches Kafka.
   */
  @Test
  void formerHolderWhoseLeaseWasTakenOverWritesNothingAndPublishesNothing() {
    String id = "rollout-" + UUID.randomUUID();
    String application = Deploys.application();
    long formerToken =
        single(
            """
            INSERT INTO rollouts (event_id, run_id, commit_sha, application, environment, image,
                image_digest, reason, requested_by, status, requested_at, phase, step, cluster,
                namespace, strategy, started_at, lease_owner, lease_token, lease_until, attempts)
            VALUES ($1, 'run-' || $1, 'abc123', $2, 'fenced', $2 || ':1', 'sha256:1', 'SCAN_PASSED',
                'ci', 'RUNNING', now(), 'PROGRESSING', 0, 'local', 'fenced-ns', 'ROLLING', now(),
                'instance-a', nextval('work_lease_token'), now() + interval '10 minutes', 1)
            RETURNING lease_token
            """,
            Tuple.of(id, application));
    Lease former = new Lease(id, "instance-a", formerToken, 1, "RUNNING", System.nanoTime());
    long currentToken =
        single(
            """
            UPDATE rollouts SET lease_token = nextval('work_lease_token'), attempts = 2,
                lease_until = now() + interval '10 minutes'
            WHERE event_id = $1 RETURNING lease_token
            """,
            Tuple.of(id));
    Lease current = new Lease(id, "instance-a", currentToken, 2, "RUNNING", System.nanoTime());
    RolloutState stored = work.load(id).orElseThrow().state();
    Progress progress = stored.progress().markApplied();

    assertThatThrownBy(() -> work.save(former, progress, "step by the former holder"))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> work.note(former, "a line by the former holder"))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> objects.addCreated(former, List.of(objectRef())))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> objects.commandDone(former, null))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> objects.analysisErrors(former, 3))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> objects.recordError(former)).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(
            () ->
                outcomes.finish(
                    stored,
                    new HeldRollout(former),
                    new Step.Finish(
                        RolloutStatus.SUCCEEDED, "by the former holder", 1L, null, false)))
        .isInstanceOf(LeaseLostException.class);

    String eventId = Envelope.derivedId("deploy.done", id);
    assertThat(
            text(
                "SELECT status || ' ' || phase || ' ' || applied || ' ' || errors || ' '"
                    + " || analysis_errors || ' ' || created::text FROM rollouts"
                    + " WHERE event_id = $1",
                id))
        .as("the row as the current claim left it")
        .isEqualTo("RUNNING PROGRESSING false 0 0 []");
    assertThat(count("SELECT count(*) FROM rollout_log WHERE rollout_id = $1", id)).isZero();
    assertThat(count("SELECT count(*) FROM outbox WHERE event_id = $1", eventId)).isZero();

    outcomes.finish(
        stored,
        new HeldRollout(current),
        new Step.Finish(RolloutStatus.FAILED, "ended by the current holder", null, null, false));

    assertThat(text("SELECT status || ': ' || outcome FROM rollouts WHERE event_id = $1", id))
        .isEqualTo("FAILED: ended by the current holder");
    var dones = Rollouts.deployDones(eventId, Duration.ofSeconds(20), 1);
    assertThat(dones).hasSize(1);
    assertThat(Rollouts.envelope(dones.get(0)).data().reason())
        .isEqualTo("ended by the current holder");
  }

  /**
   * The database freezes (the PostgreSQL container is paused right after a renewal: no renewal gets
   * through, no error comes back either) while a canary rolls out. The lease surely lasts until the
   * {@code lease_until} that renewal wrote, no longer: the worker gives the lease up before then
   * and the rollout makes no request to the cluster from there on. Once the database is back and
   * the lease ran out there, a new claim goes on from the stored step; the rollout finishes once,
   * with one deploy.done, and no canary step was applied twice.
   */
  @Test
  void workerThatCannotRenewStopsActingOnTheClusterBeforeTheLeaseCanPassOn() throws Exception {
    String app = Deploys.application();
    String id = Rollouts.canaryAtItsFirstStep(app, "paused-db", ROLLOUT);

    assertThat(worker.acting(id)).as("the worker acts on the rollout").isTrue();
    // Freeze right after a renewal, so the test knows until when the lease surely lasts.
    Instant leaseUntil = nextRenewal(id);
    Instant stopped;
    Instant unpaused;
    SlipwayInfrastructure.pausePostgres();
    try {
      long frozen = System.nanoTime();
      while (worker.acting(id) && System.nanoTime() - frozen < LEASE.multipliedBy(2).toNanos()) {
        Thread.sleep(10);
      }
      stopped = Instant.now();
      // Keep the database away until the lease surely ran out there.
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), leaseUntil).toMillis() + 500));
    } finally {
      SlipwayInfrastructure.unpausePostgres();
      unpaused = Instant.now();
    }
    System.out.printf(
        "lease %d ms: the rollout worker stopped acting %d ms before the lease could pass on%n",
        LEASE.toMillis(), Duration.between(stopped, leaseUntil).toMillis());
    assertThat(stopped).as("the lease ran out at %s", leaseUntil).isBefore(leaseUntil);
    assertThat(writes(app))
        .as("Deployment writes while the lease was given up and the database away")
        .noneMatch(write -> write.at().isAfter(stopped) && write.at().isBefore(unpaused));

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(Rollouts.log(id))
        .anyMatch(line -> line.matches("resumed by .* in phase CANARY, .*"))
        .filteredOn(line -> line.startsWith("canary step 1/2 (50%): canary 1 pods"))
        .hasSize(1);
    assertThat(sandbox.local().writes("paused-db-ns", app + "-canary"))
        .extracting(DeploymentWrite::replicas)
        .as("each canary step applied once")
        .containsExactly(1, 2, 0);
    assertThat(
            Rollouts.deployDones(Envelope.derivedId("deploy.done", id), Duration.ofSeconds(20), 1))
        .hasSize(1);
  }

  /** Every Deployment write of {@code app} in the test environment, canary and stable. */
  private List<DeploymentWrite> writes(String app) {
    List<DeploymentWrite> all =
        new java.util.ArrayList<>(sandbox.local().writes("paused-db-ns", app + "-canary"));
    all.addAll(sandbox.local().writes("paused-db-ns", app));
    return all;
  }

  /**
   * Waits for the next renewal of {@code id}'s lease and returns the new {@code lease_until}: the
   * lease lasts at least until then.
   */
  private Instant nextRenewal(String id) throws InterruptedException {
    return new LeaseWatch(pool, "rollouts", "event_id").nextRenewal(id, LEASE);
  }

  private long single(String sql, Tuple values) {
    return pool.preparedQuery(sql)
        .execute(values)
        .await()
        .atMost(Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }

  private long count(String sql, String value) {
    return single(sql, Tuple.of(value));
  }

  private String text(String sql, String value) {
    return pool.preparedQuery(sql)
        .execute(Tuple.of(value))
        .await()
        .atMost(Duration.ofSeconds(10))
        .iterator()
        .next()
        .getString(0);
  }

  private static dev.slipway.deploy.manifest.ObjectRef objectRef() {
    return new dev.slipway.deploy.manifest.ObjectRef("v1", "ConfigMap", "fenced-ns", "settings");
  }
}

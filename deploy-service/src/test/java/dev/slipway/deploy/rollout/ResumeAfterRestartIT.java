package dev.slipway.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.Envelope;
import dev.slipway.sandbox.SandboxServer.DeploymentWrite;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A worker dies in the middle of a canary: its lease stops being renewed and expires. Cutting the
 * lease short does to the row exactly what that leaves behind; the instance that takes the rollout
 * over has only the stored progress and the cluster to go on.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class ResumeAfterRestartIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;
  @Inject Pool pool;

  @Test
  void canaryWhoseWorkerDiedIsResumedFromTheStoredStepNotStartedOver() {
    String app = Deploys.application();
    String id = Rollouts.canaryAtItsFirstStep(app, "resume", ROLLOUT);

    int cut =
        pool.preparedQuery(
                "UPDATE rollouts SET lease_owner = 'crashed-instance', lease_until = now() - interval '1 second'"
                    + " WHERE event_id = $1 AND status = 'RUNNING'")
            .execute(Tuple.of(id))
            .await()
            .atMost(Duration.ofSeconds(10))
            .rowCount();
    assertThat(cut).isEqualTo(1);

    JsonPath rollout = Rollouts.awaitFinished(id, ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("SUCCEEDED");
    assertThat(rollout.getLong("rollout.revision")).isEqualTo(2);
    assertThat(Rollouts.log(id))
        .anyMatch(line -> line.matches("resumed by .* in phase CANARY, step 1, .*"))
        .filteredOn(line -> line.startsWith("canary step 1/2 (50%): canary 1 pods"))
        .hasSize(1);
    // Step 1 was applied once, before the takeover; the new worker went on with step 2.
    assertThat(sandbox.local().writes("resume-ns", app + "-canary"))
        .extracting(DeploymentWrite::replicas)
        .containsExactly(1, 2, 0);
    assertThat(
            Rollouts.deployDones(Envelope.derivedId("deploy.done", id), Duration.ofSeconds(20), 1))
        .hasSize(1);
  }
}

package dev.slipway.deploy.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.OutboxContract;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * deploy-service's events through the shared outbox relay: Kafka freezes while a rollout finishes,
 * the outcome is committed with its deploy.done in the outbox, and the event reaches Kafka once,
 * when the broker answers again; a deploy.done Kafka refuses is parked and the next is published.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class OutboxRelayIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @Inject Pool pool;

  @Test
  void outcomeReachedWhileKafkaIsFrozenIsPublishedOnceItAnswersAgain() {
    String app = Deploys.application();
    EnvironmentSpec qa =
        Deploys.canary(
            "frozen",
            "local",
            List.of(100),
            Deploys.settings(1, 30, null, new Analysis(null, null, null, 0, 1, 2, 0)));
    RunContext run = Deploys.run(qa);
    Rollouts.awaitFinished(
        Rollouts.request(Deploys.scanPassed(app, "frozen", Deploys.digest("v1"), run)), ROLLOUT);
    String id = Rollouts.request(Deploys.scanPassed(app, "frozen", Deploys.digest("v2"), run));
    await()
        .atMost(ROLLOUT)
        .untilAsserted(
            () -> assertThat(Rollouts.log(id)).anyMatch(line -> line.contains("canary ready")));

    SlipwayInfrastructure.pauseKafka();
    String eventId = Envelope.derivedId("deploy.done", id);
    try {
      assertThat(Rollouts.awaitFinished(id, ROLLOUT).getString("rollout.status"))
          .isEqualTo("SUCCEEDED");
      Row outboxRow = outbox(eventId);
      assertThat(outboxRow).isNotNull();
      assertThat(outboxRow.getOffsetDateTime("sent_at")).isNull();
    } finally {
      SlipwayInfrastructure.unpauseKafka();
    }

    await()
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(() -> assertThat(outbox(eventId).getOffsetDateTime("sent_at")).isNotNull());
    assertThat(Rollouts.deployDones(eventId, Duration.ofSeconds(20), 1)).hasSize(1);
  }

  @Test
  void aDeployDoneKafkaRefusesIsParkedAndTheNextIsPublished() {
    Envelope<DeployDone> next =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/deploy-service",
            EventType.DEPLOY_DONE.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            Deploys.application(),
            UUID.randomUUID().toString(),
            UUID.randomUUID().toString(),
            SampleEvents.COMMIT,
            SampleEvents.deployDone());

    OutboxContract.refusedRowIsParkedAndTheNextIsDelivered(next);
  }

  private Row outbox(String eventId) {
    var rows =
        pool.preparedQuery("SELECT sent_at FROM outbox WHERE event_id = $1")
            .execute(Tuple.of(eventId))
            .await()
            .atMost(Duration.ofSeconds(10));
    return rows.size() == 0 ? null : rows.iterator().next();
  }
}

package dev.slipway.scan.messaging;

import static dev.slipway.scan.ScanFixtures.scansOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.scan.ScanFixtures;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A crash between storing a verdict and publishing it: the relay does not run on its own here, so
 * the scan's state and events are stored and nothing is published, as if the instance died right
 * after the commit. Starting the relay later (first against a frozen broker) publishes each event,
 * with its derived id; a relay that died after Kafka's ack but before marking the row publishes it
 * again under the same id, which consumers' idempotency on the id absorbs.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@TestProfile(OutboxCrashIT.RelayStopped.class)
class OutboxCrashIT {

  /** The relay does not start by itself; the test runs its passes. */
  public static class RelayStopped implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("slipway.scan.relay.enabled", "false");
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Inject OutboxRelay relay;
  @Inject Pool pool;

  @Test
  void storedEventsSurviveAStoppedRelayAndAFrozenBrokerAndLeaveOnceEachWithDerivedIds() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String sbomRef = ScanFixtures.pushSbomOf(application, digest, "pkg:npm/minimist@1.2.6");
    Envelope<BuildDone> built =
        ScanFixtures.built(
            application, digest, sbomRef, new ScanPolicy(Severity.HIGH, false), List.of());
    String scanId = Envelope.derivedId("scan", built.id());

    KafkaTestClient.send(Topics.BUILD_DONE, built);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> scansOf(application).body("items[0].status", equalTo("PASSED")));
    assertThat(unsent(application)).isEqualTo(2);
    assertThat(BuildScanIT.recordsKeyed(Topics.SCAN_DONE, application)).isEmpty();

    SlipwayInfrastructure.pauseKafka();
    double failuresBefore = relay.failures();
    try {
      int sent = relay.publishPending().await().atMost(WAIT);
      assertThat(sent).isZero();
      assertThat(relay.failures()).isGreaterThan(failuresBefore);
      assertThat(unsent(application)).isEqualTo(2);
    } finally {
      SlipwayInfrastructure.unpauseKafka();
    }

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              relay.publishPending().await().atMost(WAIT);
              assertThat(unsent(application)).isZero();
            });
    String scanDoneId = Envelope.derivedId("scan.done", scanId);
    String deployId = Envelope.derivedId("deploy.requested", scanId, "dev");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(ids(Topics.SCAN_DONE, application)).isNotEmpty().containsOnly(scanDoneId);
              assertThat(ids(Topics.DEPLOY_REQUESTED, application))
                  .isNotEmpty()
                  .containsOnly(deployId);
            });

    // The relay published but died before marking: the rows are unsent again.
    pool.preparedQuery("UPDATE outbox SET sent_at = NULL WHERE application = $1")
        .execute(Tuple.of(application))
        .await()
        .indefinitely();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              relay.publishPending().await().atMost(WAIT);
              assertThat(unsent(application)).isZero();
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ids(Topics.SCAN_DONE, application))
                    .hasSizeGreaterThan(1)
                    .containsOnly(scanDoneId));
  }

  private long unsent(String application) {
    return pool.preparedQuery(
            "SELECT count(*) FROM outbox WHERE application = $1 AND sent_at IS NULL")
        .execute(Tuple.of(application))
        .await()
        .indefinitely()
        .iterator()
        .next()
        .getLong(0);
  }

  private static List<String> ids(String topic, String application) {
    return BuildScanIT.recordsKeyed(topic, application).stream()
        .map(r -> KafkaTestClient.header(r, "ce_id"))
        .toList();
  }
}

package dev.slipway.scan.messaging;

import static dev.slipway.scan.ScanFixtures.scansOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.scan.ScanFixtures;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.OutboxContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A crash between storing a verdict and publishing it: another instance holds the relay's lease (it
 * died right after the commit, its lease not yet run out), so the scan's state and events are
 * stored and nothing is published. Once its lease runs out this instance's relay takes over and
 * publishes each event, with its derived id; a relay that died after Kafka's ack but before marking
 * the row publishes it again under the same id, which consumers' idempotency on the id absorbs. A
 * record Kafka refuses is parked and the records behind it still go out.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class OutboxCrashIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Inject Pool pool;

  @Test
  void storedEventsSurviveADeadRelayAndLeaveOnceEachWithDerivedIds() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String sbomRef = ScanFixtures.pushSbomOf(application, digest, "pkg:npm/minimist@1.2.6");
    Envelope<BuildDone> built =
        ScanFixtures.built(
            application, digest, sbomRef, new ScanPolicy(Severity.HIGH, false), List.of());
    String scanId = Envelope.derivedId("scan", built.id());
    holdRelayLease("dead", "1 hour");
    try {
      KafkaTestClient.send(Topics.BUILD_DONE, built);
      await()
          .atMost(WAIT)
          .untilAsserted(() -> scansOf(application).body("items[0].status", equalTo("PASSED")));
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> unsent(application) == 2);
      assertThat(BuildScanIT.recordsKeyed(Topics.SCAN_DONE, application)).isEmpty();
    } finally {
      // The dead instance's lease runs out: this one's relay takes over.
      holdRelayLease("dead", "0 seconds");
    }

    await().atMost(WAIT).until(() -> unsent(application) == 0);
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
    await().atMost(WAIT).until(() -> unsent(application) == 0);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ids(Topics.SCAN_DONE, application))
                    .hasSizeGreaterThan(1)
                    .containsOnly(scanDoneId));
  }

  @Test
  void aScanDoneKafkaRefusesIsParkedAndTheNextIsPublished() {
    String application = ScanFixtures.newApplication();
    Envelope<ScanDone> next =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/scan-service",
            EventType.SCAN_DONE.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            application,
            UUID.randomUUID().toString(),
            UUID.randomUUID().toString(),
            SampleEvents.COMMIT,
            SampleEvents.scanDone());

    OutboxContract.refusedRowIsParkedAndTheNextIsDelivered(next);
  }

  /** Gives the relay's lease to {@code holder} until {@code interval} from now. */
  private void holdRelayLease(String holder, String interval) {
    pool.preparedQuery(
            """
            INSERT INTO work_lease (name, holder, token, expires_at)
            VALUES ('outbox-relay', $1, nextval('work_lease_token'), now() + CAST($2::text AS interval))
            ON CONFLICT (name) DO UPDATE
              SET holder = EXCLUDED.holder, token = EXCLUDED.token,
                  expires_at = EXCLUDED.expires_at
            """)
        .execute(Tuple.of(holder, interval))
        .await()
        .indefinitely();
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

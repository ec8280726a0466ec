package dev.slipway.scan.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.Topics;
import dev.slipway.scan.ScanFixtures;
import dev.slipway.scan.repository.ReevaluationRepository.Claimed;
import dev.slipway.scan.repository.ReevaluationRepository.ExposureRow;
import dev.slipway.scan.repository.ReevaluationRepository.KnownName;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.work.outbox.OutboxEvent;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.Renewal;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The re-evaluation queue's fencing against the real database and broker: an instance whose lease
 * was taken over (it paused past it, then came back) renews nothing, puts nothing back and finishes
 * nothing: no exposure, no known name, no outbox row, no event on vulnerability.found; the instance
 * that took over finishes it, and only its event is published.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ReevaluationQueueIT {

  @Inject ReevaluationRepository reevaluations;
  @Inject Pool pool;

  @Test
  void aFormerHolderWritesNothingAndPublishesNothing() {
    // Held by instance-a far into the future, so this service's own re-evaluator leaves it alone;
    // then taken over by instance-b as after instance-a's lease ran out.
    Row held =
        single(
            """
            INSERT INTO reevaluations (db_version, advisories, status, lease_owner, lease_token,
                                       lease_until, attempts)
            VALUES ('test', '{}', 'RUNNING', 'instance-a', nextval('work_lease_token'),
                    now() + interval '10 minutes', 1)
            RETURNING id, lease_token
            """,
            Tuple.tuple());
    String id = held.getString("id");
    long tokenB =
        single(
                """
                UPDATE reevaluations SET lease_owner = 'instance-b',
                                         lease_token = nextval('work_lease_token'),
                                         attempts = attempts + 1
                WHERE id = $1 RETURNING lease_token
                """,
                Tuple.of(id))
            .getLong(0);
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    Claimed a = claimed(id, "instance-a", held.getLong("lease_token"), 1);
    Claimed b = claimed(id, "instance-b", tokenB, 2);
    Found foundByA = found(application, digest, "GHSA-former");
    Found foundByB = found(application, digest, "GHSA-holder");

    assertThat(reevaluations.renew(a, Duration.ofMinutes(1)).await().atMost(WAIT))
        .isEqualTo(Renewal.LOST);
    assertThat(reevaluations.giveBack(a).await().atMost(WAIT)).isFalse();
    assertThat(finish(a, foundByA)).isFalse();
    assertThat(state(id)).isEqualTo("RUNNING instance-b 2");
    assertThat(count("SELECT count(*) FROM exposures WHERE digest = $1", digest)).isZero();
    assertThat(count("SELECT count(*) FROM known_findings WHERE digest = $1", digest)).isZero();
    assertThat(count("SELECT count(*) FROM outbox WHERE application = $1", application)).isZero();

    assertThat(reevaluations.renew(b, Duration.ofMinutes(1)).await().atMost(WAIT))
        .isEqualTo(Renewal.HELD);
    assertThat(finish(b, foundByB)).isTrue();
    assertThat(state(id)).isEqualTo("DONE - 2");
    assertThat(count("SELECT count(*) FROM exposures WHERE digest = $1", digest)).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM known_findings WHERE digest = $1", digest)).isEqualTo(1);
    ConsumerRecord<String, byte[]> published =
        KafkaTestClient.awaitRecord(Topics.VULNERABILITY_FOUND, application, WAIT);
    assertThat(KafkaTestClient.header(published, "ce_id")).isEqualTo(foundByB.eventId());
    assertThat(
            KafkaTestClient.read(
                Topics.VULNERABILITY_FOUND, Integer.MAX_VALUE, Duration.ofSeconds(3)))
        .filteredOn(record -> application.equals(record.key()))
        .extracting(record -> KafkaTestClient.header(record, "ce_id"))
        .containsExactly(foundByB.eventId());
    // Once finished, the re-evaluation is no holder's to finish again.
    assertThat(reevaluations.giveBack(b).await().atMost(WAIT)).isFalse();
  }

  private static final Duration WAIT = Duration.ofSeconds(60);

  /** What one holder found: one exposure of {@code advisory} and its vulnerability.found. */
  private record Found(
      String eventId, List<KnownName> known, ExposureRow exposure, List<OutboxEvent> events) {}

  private static Found found(String application, String digest, String advisory) {
    Envelope<?> event =
        SampleEvents.forApplication(
            EventType.VULNERABILITY_FOUND, application, SampleEvents.vulnerabilityFound());
    String purl = "pkg:npm/left-pad@1.0.0";
    return new Found(
        event.id(),
        List.of(new KnownName(digest, purl, advisory)),
        new ExposureRow(
            event.id(),
            application,
            "prod",
            digest,
            "registry/" + application,
            purl,
            "1.0.0",
            advisory,
            List.of(),
            "HIGH",
            "HIGH",
            "1.0.1",
            "test"),
        List.of(OutboxEvent.of(event)));
  }

  private boolean finish(Claimed claimed, Found found) {
    return reevaluations
        .finish(claimed, found.known(), List.of(found.exposure()), found.events())
        .await()
        .atMost(WAIT);
  }

  private static Claimed claimed(String id, String owner, long token, int attempts) {
    return new Claimed(
        new Lease(id, owner, token, attempts, "RUNNING", System.nanoTime()),
        "test",
        List.of(),
        null);
  }

  private String state(String id) {
    return single(
            "SELECT status || ' ' || coalesce(lease_owner, '-') || ' ' || attempts"
                + " FROM reevaluations WHERE id = $1",
            Tuple.of(id))
        .getString(0);
  }

  private long count(String sql, String value) {
    return single(sql, Tuple.of(value)).getLong(0);
  }

  private Row single(String sql, Tuple values) {
    return pool.preparedQuery(sql).execute(values).await().atMost(WAIT).iterator().next();
  }
}

package dev.slipway.scan.messaging;

import static dev.slipway.scan.ScanFixtures.VIEWER;
import static dev.slipway.scan.ScanFixtures.scansOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.slipway.events.BuildDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.Advisories;
import dev.slipway.scan.ScanFixtures;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.repository.ScanQueue;
import dev.slipway.scan.repository.ScanQueue.ClaimedScan;
import dev.slipway.scan.service.Scanner;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.work.queue.Lease;
import dev.slipway.work.queue.Renewal;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * build.done to verdict through the real broker, database and registry: the SBOM is pushed as
 * build-service pushes it, the scan runs in the worker, scan.done and deploy.requested leave
 * through the outbox.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
public class BuildScanIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ScanPolicy HIGH = new ScanPolicy(Severity.HIGH, false, List.of());

  @Inject Pool pool;
  @Inject ScanQueue scans;
  @Inject Scanner scanner;

  @Test
  void cleanSbomPassesAndRequestsTheDeployOfTheFirstEnvironment() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String sbomRef =
        ScanFixtures.pushSbomOf(
            application,
            digest,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
            "pkg:npm/minimist@1.2.6",
            "pkg:pypi/requests@2.31.0");
    Envelope<BuildDone> built = ScanFixtures.built(application, digest, sbomRef, HIGH, List.of());

    KafkaTestClient.send(Topics.BUILD_DONE, built);

    Envelope<ScanDone> scanDone = awaitEvent(Topics.SCAN_DONE, application, EventType.SCAN_DONE);
    String scanId = Envelope.derivedId("scan", built.id());
    assertThat(scanDone.id()).isEqualTo(Envelope.derivedId("scan.done", scanId));
    assertThat(scanDone.causationId()).isEqualTo(built.id());
    assertThat(scanDone.runId()).isEqualTo(built.runId());
    assertThat(scanDone.data().verdict()).isEqualTo(ScanDone.Verdict.PASSED);
    assertThat(scanDone.data().imageDigest()).isEqualTo(digest);
    assertThat(scanDone.data().scanId()).isEqualTo(scanId);
    assertThat(scanDone.data().findings()).isEmpty();
    assertThat(scanDone.data().dbVersion()).isNotEqualTo("empty");

    Envelope<DeployRequested> deploy =
        awaitEvent(Topics.DEPLOY_REQUESTED, application, EventType.DEPLOY_REQUESTED);
    assertThat(deploy.id()).isEqualTo(Envelope.derivedId("deploy.requested", scanId, "dev"));
    assertThat(deploy.data().environment()).isEqualTo("dev");
    assertThat(deploy.data().reason()).isEqualTo(DeployRequested.Reason.SCAN_PASSED);
    assertThat(deploy.data().image()).isEqualTo(built.data().image().repository());
    assertThat(deploy.data().imageDigest()).isEqualTo(digest);
    assertThat(deploy.data().requestedBy()).isEqualTo("scan-service");
    assertThat(deploy.data().run()).isEqualTo(built.data().run());
  }

  @Test
  void vulnerableSbomStopsWithTheFindingNamedAndDeploysNothing() {
    String application = ScanFixtures.newApplication();
    ScanFixtures.sendBuild(application, HIGH, "pkg:npm/minimist@1.2.5", "pkg:npm/lodash@4.17.21");

    ScanDone done = awaitEvent(Topics.SCAN_DONE, application, EventType.SCAN_DONE).data();
    assertThat(done.verdict()).isEqualTo(ScanDone.Verdict.FAILED);
    assertThat(done.reason()).contains(Advisories.MINIMIST).contains("CVE-2021-44906");
    assertThat(done.counts()).containsEntry(Severity.CRITICAL, 1);
    assertThat(done.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.advisoryId()).isEqualTo(Advisories.MINIMIST);
              assertThat(f.packageUrl()).isEqualTo("pkg:npm/minimist@1.2.5");
              assertThat(f.fixedVersion()).isEqualTo("1.2.6");
              assertThat(f.blocking()).isTrue();
            });
    assertThat(outboxRows(application, Topics.DEPLOY_REQUESTED)).isZero();
  }

  @Test
  void expiredIgnoreNoLongerSuppressesAndSaysSo() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String sbomRef =
        ScanFixtures.pushSbomOf(
            application, digest, "pkg:npm/minimist@1.2.5", "pkg:pypi/requests@2.30.0");
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    List<VulnerabilityIgnore> ignores =
        List.of(
            new VulnerabilityIgnore(
                "CVE-2021-44906", "parser input is trusted", today.minusDays(1)),
            new VulnerabilityIgnore(Advisories.REQUESTS, "no proxy in use", today.plusDays(30)));

    KafkaTestClient.send(
        Topics.BUILD_DONE,
        ScanFixtures.built(
            application, digest, sbomRef, new ScanPolicy(Severity.MEDIUM, false), ignores));

    ScanDone done = awaitEvent(Topics.SCAN_DONE, application, EventType.SCAN_DONE).data();
    assertThat(done.verdict()).isEqualTo(ScanDone.Verdict.FAILED);
    assertThat(done.ignores()).isEqualTo(ignores);
    assertThat(done.findings())
        .filteredOn(f -> f.advisoryId().equals(Advisories.MINIMIST))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.blocking()).isTrue();
              assertThat(f.ignored()).isFalse();
              assertThat(f.note()).startsWith("ignore expired on " + today.minusDays(1));
            });
    assertThat(done.findings())
        .filteredOn(f -> f.advisoryId().equals(Advisories.REQUESTS))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.ignored()).isTrue();
              assertThat(f.blocking()).isFalse();
            });
  }

  @Test
  void redeliveredBuildDoneNeitherRescansNorPublishesAgain() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String sbomRef = ScanFixtures.pushSbomOf(application, digest, "pkg:npm/minimist@1.2.6");
    Envelope<BuildDone> built = ScanFixtures.built(application, digest, sbomRef, HIGH, List.of());

    KafkaTestClient.send(Topics.BUILD_DONE, built);
    awaitEvent(Topics.SCAN_DONE, application, EventType.SCAN_DONE);
    KafkaTestClient.send(Topics.BUILD_DONE, built);
    // A later build of the same application lands after the copy on the same partition.
    ScanFixtures.sendBuild(application, HIGH, "pkg:npm/minimist@1.2.7");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                scansOf(application)
                    .body("items", hasSize(2))
                    .body("items.status", org.hamcrest.Matchers.everyItem(equalTo("PASSED"))));
    assertThat(outboxRows(application, Topics.SCAN_DONE)).isEqualTo(2);
    assertThat(outboxRows(application, Topics.DEPLOY_REQUESTED)).isEqualTo(2);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(recordsKeyed(Topics.SCAN_DONE, application)).hasSize(2));
    assertThat(recordsKeyed(Topics.SCAN_DONE, application))
        .extracting(r -> KafkaTestClient.header(r, "ce_id"))
        .doesNotHaveDuplicates();
  }

  @Test
  void buildThatDidNotSucceedIsNotScanned() {
    String application = ScanFixtures.newApplication();
    KafkaTestClient.send(
        Topics.BUILD_DONE,
        SampleEvents.forApplication(EventType.BUILD_DONE, application, SampleEvents.failedBuild()));
    String digest =
        ScanFixtures.sendBuild(application, HIGH, "pkg:npm/minimist@1.2.6").data().image().digest();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                scansOf(application)
                    .body("items", hasSize(1))
                    .body("items[0].imageDigest", equalTo(digest)));
  }

  @Test
  void missingSbomFailsTheScanWithAClearReason() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String missing =
        dev.slipway.testsupport.OciRegistry.address()
            + "/acme/"
            + application
            + "@"
            + ScanFixtures.newDigest();

    KafkaTestClient.send(
        Topics.BUILD_DONE, ScanFixtures.built(application, digest, missing, HIGH, List.of()));

    ScanDone done = awaitEvent(Topics.SCAN_DONE, application, EventType.SCAN_DONE).data();
    assertThat(done.verdict()).isEqualTo(ScanDone.Verdict.FAILED);
    assertThat(done.reason()).startsWith("SBOM unreadable: SBOM manifest").contains("not found");
    assertThat(outboxRows(application, Topics.DEPLOY_REQUESTED)).isZero();
  }

  @Test
  void scanOfAWorkerWhoseLeaseExpiredIsTakenOver() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    String sbomRef = ScanFixtures.pushSbomOf(application, digest, "pkg:npm/minimist@1.2.6");
    Envelope<BuildDone> built = ScanFixtures.built(application, digest, sbomRef, HIGH, List.of());
    String scanId = Envelope.derivedId("scan", built.id());
    // A worker claimed the scan and died: SCANNING under its lease, which ran out a minute ago.
    pool.preparedQuery(
            """
            INSERT INTO scans (scan_id, kind, build_event_id, run_id, application, image,
                               image_digest, sbom_ref, requested_by, cause, policy, ignores,
                               status, attempts, lease_owner, lease_until, requested_at)
            VALUES ($1, 'BUILD', $2, $3, $4, $5, $6, $7, 'test', $8, $9::text::jsonb, '[]',
                    'SCANNING', 1, 'dead-worker', now() - interval '1 minute', now())
            """)
        .execute(
            Tuple.from(
                List.of(
                    scanId,
                    built.id(),
                    built.runId(),
                    application,
                    built.data().image().reference(),
                    digest,
                    sbomRef,
                    new String(EventJson.writeEvent(built), StandardCharsets.UTF_8),
                    new String(EventJson.writePayload(HIGH), StandardCharsets.UTF_8))))
        .await()
        .indefinitely();

    ScanDone done = awaitEvent(Topics.SCAN_DONE, application, EventType.SCAN_DONE).data();
    assertThat(done.scanId()).isEqualTo(scanId);
    assertThat(done.verdict()).isEqualTo(ScanDone.Verdict.PASSED);
    given()
        .auth()
        .oauth2(VIEWER)
        .get("/api/scans/" + scanId)
        .then()
        .statusCode(200)
        .body("status", equalTo("PASSED"))
        .body("reason", containsString("no finding at or above HIGH"));
  }

  /**
   * Worker A held a scan, worker B took it over (simulated: the row written as B's claim would,
   * with a new fencing token). Everything A still sends is refused: its renewal finds the lease
   * lost, its retry and its outcome change nothing; B's outcome is the one stored.
   */
  @Test
  void aWorkerThatLostTheLeaseWritesNothingAndTheNewHolderFinishes() {
    String application = ScanFixtures.newApplication();
    String digest = ScanFixtures.newDigest();
    Envelope<BuildDone> built = ScanFixtures.built(application, digest, "unused", HIGH, List.of());
    String scanId = Envelope.derivedId("scan", built.id());
    long tokenA =
        pool.preparedQuery(
                """
                INSERT INTO scans (scan_id, kind, build_event_id, run_id, application, image,
                                   image_digest, sbom_ref, requested_by, cause, policy, ignores,
                                   status, attempts, lease_owner, lease_token, lease_until,
                                   requested_at)
                VALUES ($1, 'BUILD', $2, $3, $4, $5, $6, 'unused', 'test', $7, $8::text::jsonb,
                        '[]', 'SCANNING', 1, 'worker-a', nextval('work_lease_token'),
                        now() + interval '10 minutes', now())
                RETURNING lease_token
                """)
            .execute(
                Tuple.from(
                    List.of(
                        scanId,
                        built.id(),
                        built.runId(),
                        application,
                        built.data().image().reference(),
                        digest,
                        new String(EventJson.writeEvent(built), StandardCharsets.UTF_8),
                        new String(EventJson.writePayload(HIGH), StandardCharsets.UTF_8))))
            .await()
            .indefinitely()
            .iterator()
            .next()
            .getLong(0);
    long tokenB =
        pool.preparedQuery(
                """
                UPDATE scans SET lease_owner = 'worker-b', lease_token = nextval('work_lease_token'),
                                 attempts = attempts + 1
                WHERE scan_id = $1 RETURNING lease_token
                """)
            .execute(Tuple.of(scanId))
            .await()
            .indefinitely()
            .iterator()
            .next()
            .getLong(0);
    ClaimedScan a = claimed(scanId, "worker-a", tokenA, 1, built);
    ClaimedScan b = claimed(scanId, "worker-b", tokenB, 2, built);
    ScanOutcome outcome = scanner.unreadable("SBOM unreadable: test").await().indefinitely();

    assertThat(scans.renew(a, Duration.ofMinutes(1)).await().indefinitely())
        .isEqualTo(Renewal.LOST);
    assertThat(scans.retryLater(a, "late", Duration.ofSeconds(1)).await().indefinitely()).isFalse();
    assertThat(scans.finish(a, outcome, List.of()).await().indefinitely()).isFalse();
    given()
        .auth()
        .oauth2(VIEWER)
        .get("/api/scans/" + scanId)
        .then()
        .statusCode(200)
        .body("status", equalTo("SCANNING"));

    assertThat(scans.renew(b, Duration.ofMinutes(1)).await().indefinitely())
        .isEqualTo(Renewal.HELD);
    assertThat(scans.finish(b, outcome, List.of()).await().indefinitely()).isTrue();
    given()
        .auth()
        .oauth2(VIEWER)
        .get("/api/scans/" + scanId)
        .then()
        .statusCode(200)
        .body("status", equalTo("FAILED"))
        .body("reason", equalTo("SBOM unreadable: test"));
  }

  private static ClaimedScan claimed(
      String scanId, String owner, long token, int attempts, Envelope<BuildDone> built) {
    return new ClaimedScan(
        new Lease(scanId, owner, token, attempts, "SCANNING", System.nanoTime()),
        built,
        HIGH,
        List.of(),
        "unused");
  }

  @Test
  void recordThatIsNotABuildDoneGoesToTheDeadLetterTopic() {
    String key = "broken-" + UUID.randomUUID();
    byte[] broken = "not json".getBytes(StandardCharsets.UTF_8);

    KafkaTestClient.sendRaw(Topics.BUILD_DONE, key, broken);

    var dead = KafkaTestClient.awaitRecord(Topics.dlq(Topics.BUILD_DONE), key, WAIT);
    assertThat(dead.value()).isEqualTo(broken);
  }

  private long outboxRows(String application, String topic) {
    return ScanFixtures.outboxRows(pool, application, topic);
  }

  static List<ConsumerRecord<String, byte[]>> recordsKeyed(String topic, String key) {
    return KafkaTestClient.readAll(topic).stream().filter(r -> key.equals(r.key())).toList();
  }

  /** The event of {@code type} keyed {@code key} on {@code topic}, awaited. */
  public static <T> Envelope<T> awaitEvent(String topic, String key, EventType<T> type) {
    ConsumerRecord<String, byte[]> record = KafkaTestClient.awaitRecord(topic, key, WAIT);
    T payload = EventJson.readPayload(record.value(), type.payloadType());
    return new Envelope<>(
        KafkaTestClient.header(record, "ce_id"),
        KafkaTestClient.header(record, "ce_source"),
        KafkaTestClient.header(record, "ce_type"),
        java.time.OffsetDateTime.parse(KafkaTestClient.header(record, "ce_time")),
        record.key(),
        KafkaTestClient.header(record, "ce_runid"),
        KafkaTestClient.header(record, "ce_causationid"),
        KafkaTestClient.header(record, "ce_commitsha"),
        payload);
  }
}

package dev.slipway.trigger.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The retention job deletes deliveries older than their retention (7 days), pushes older than the
 * dedup window (24 h) and outbox rows sent longer ago than theirs (7 days); it keeps everything
 * younger and never deletes an outbox row that was not sent.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class RetentionIT {

  @Test
  void oldRowsAreDeletedOnScheduleAndYoungOrUnsentOnesKept() {
    String id = UUID.randomUUID().toString();
    Database.update(
        "INSERT INTO deliveries (provider, delivery_key, response, received_at) VALUES"
            + " ('github', ?, '{}', now() - interval '8 days'), ('github', ?, '{}', now() - interval '6 days')",
        "old-" + id,
        "young-" + id);
    Database.update(
        "INSERT INTO pushes (application, ref, commit_sha, run_id, received_at) VALUES"
            + " (?, 'refs/heads/main', 'a', 'r1', now() - interval '25 hours'),"
            + " (?, 'refs/heads/main', 'b', 'r2', now() - interval '23 hours')",
        "retention-" + id,
        "retention-" + id);
    Database.update(
        "INSERT INTO outbox (event_id, topic, application, event, created_at, sent_at, parked_at)"
            + " VALUES"
            + " (?, 'commit.received', ?, '{}', now() - interval '9 days', now() - interval '8 days',"
            + " NULL),"
            + " (?, 'commit.received', ?, '{}', now() - interval '9 days', now() - interval '6 days',"
            + " NULL),"
            + " (?, 'commit.received', ?, '{}', now() - interval '9 days', NULL,"
            + " now() - interval '9 days')",
        "sent-old-" + id,
        "retention-" + id,
        "sent-young-" + id,
        "retention-" + id,
        "parked-" + id,
        "retention-" + id);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Database.number(
                            "SELECT count(*) FROM deliveries WHERE delivery_key = ?", "old-" + id)
                        == 0
                    && Database.number(
                            "SELECT count(*) FROM pushes WHERE run_id = 'r1' AND application = ?",
                            "retention-" + id)
                        == 0
                    && Database.number(
                            "SELECT count(*) FROM outbox WHERE event_id = ?", "sent-old-" + id)
                        == 0);

    assertThat(
            Database.number(
                "SELECT count(*) FROM deliveries WHERE delivery_key = ?", "young-" + id))
        .isEqualTo(1);
    assertThat(
            Database.number("SELECT count(*) FROM pushes WHERE application = ?", "retention-" + id))
        .isEqualTo(1);
    assertThat(
            Database.number("SELECT count(*) FROM outbox WHERE application = ?", "retention-" + id))
        .isEqualTo(2);
    // The parked row would show in the outbox health of the tests after this one.
    Database.update("DELETE FROM outbox WHERE application = ?", "retention-" + id);
  }
}

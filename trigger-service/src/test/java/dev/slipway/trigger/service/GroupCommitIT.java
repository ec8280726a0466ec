package dev.slipway.trigger.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.events.Person;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import dev.slipway.trigger.messaging.CommitEvents;
import dev.slipway.trigger.repository.DeliveryRepository.Acceptance;
import dev.slipway.trigger.repository.DeliveryRepository.Acceptance.Kind;
import dev.slipway.trigger.repository.DeliveryRepository.Delivery;
import dev.slipway.trigger.repository.DeliveryRepository.NewRun;
import dev.slipway.trigger.repository.DeliveryRepository.RunOutcome;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Webhooks written together in one transaction get the outcome each would get alone, in their
 * order: a commit another delivery of the same batch started is that delivery's run, a known
 * delivery key gets its stored answer; and a batch the database refuses is written again one by
 * one, so only the webhook at fault fails and nothing of it is stored.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class GroupCommitIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Inject GroupCommit groupCommit;
  @Inject ApplicationIndex index;
  @Inject CommitEvents events;

  @Test
  void oneTransactionGivesEachDeliveryItsOwnOutcome() {
    IndexedApplication app = registered("together");
    String shaBefore = Webhooks.newSha();
    String shaNew = Webhooks.newSha();
    Delivery before = delivery(app, key(), app.name(), shaBefore);
    Acceptance first = groupCommit.accept(before).await().atMost(WAIT);

    Delivery fresh = delivery(app, key(), app.name(), shaNew);
    Delivery sameCommitInTheBatch = delivery(app, key(), app.name(), shaNew);
    Delivery redelivered = delivery(app, before.deliveryKey(), app.name(), shaBefore);
    Delivery sameCommitAsBefore = delivery(app, key(), app.name(), shaBefore);
    List<Acceptance> outcomes =
        awaitAll(
            groupCommit.acceptTogether(
                List.of(fresh, sameCommitInTheBatch, redelivered, sameCommitAsBefore)));

    assertThat(first.kind()).isEqualTo(Kind.STARTED);
    assertThat(outcomes)
        .extracting(Acceptance::kind)
        .containsExactly(Kind.STARTED, Kind.ALREADY_RUNNING, Kind.REDELIVERY, Kind.ALREADY_RUNNING);
    String freshRun = runIdOf(fresh);
    assertThat(outcomes.get(0).response()).isEqualTo(freshRun);
    assertThat(outcomes.get(1).response()).isEqualTo(freshRun);
    assertThat(outcomes.get(2).response()).isEqualTo(first.response());
    assertThat(outcomes.get(3).response()).isEqualTo(first.response());
    assertThat(outboxRows(app.name())).isEqualTo(2);
    assertThat(
            Database.number(
                "SELECT count(*) FROM deliveries WHERE provider = 'github' AND delivery_key IN (?,"
                    + " ?, ?)",
                fresh.deliveryKey(),
                sameCommitInTheBatch.deliveryKey(),
                sameCommitAsBefore.deliveryKey()))
        .isEqualTo(3);
  }

  @Test
  void aBatchTheDatabaseRefusesIsWrittenOneByOne() {
    IndexedApplication app = registered("refused");
    Delivery good = delivery(app, key(), app.name(), Webhooks.newSha());
    // A run the database refuses (no application: pushes' key may not be null).
    Delivery bad = delivery(app, key(), null, Webhooks.newSha());
    Delivery alsoGood = delivery(app, key(), app.name(), Webhooks.newSha());

    List<Uni<Acceptance>> outcomes = groupCommit.acceptTogether(List.of(good, bad, alsoGood));

    assertThat(outcomes.get(0).await().atMost(WAIT).kind()).isEqualTo(Kind.STARTED);
    assertThat(outcomes.get(2).await().atMost(WAIT).kind()).isEqualTo(Kind.STARTED);
    assertThatThrownBy(() -> outcomes.get(1).await().atMost(WAIT)).hasMessageContaining("null");
    assertThat(outboxRows(app.name())).isEqualTo(2);
    assertThat(
            Database.number(
                "SELECT count(*) FROM deliveries WHERE provider = 'github' AND delivery_key = ?",
                bad.deliveryKey()))
        .isZero();
  }

  private IndexedApplication registered(String prefix) {
    String name = Webhooks.unique(prefix);
    Webhooks.register(name, "github", "https://github.com/acme/" + name, "secret-" + name);
    return index.find(name).await().atMost(WAIT).orElseThrow();
  }

  /** A delivery of one run of {@code sha} on main for {@code application} (null: refused). */
  private Delivery delivery(
      IndexedApplication app, String deliveryKey, String application, String sha) {
    String ref = "refs/heads/main";
    var event =
        events.derived(
            new CommitEvents.RunFacts(
                app.name(),
                "github",
                deliveryKey,
                app.repoUrl(),
                ref,
                sha,
                new Person("Dev", "dev@example.com", "dev", null),
                "change",
                "dev",
                app.pipeline(),
                List.of()),
            "github",
            deliveryKey,
            app.name(),
            ref);
    NewRun run = new NewRun(application, ref, sha, event.runId(), event.outboxEvent(null), true);
    return new Delivery("github", deliveryKey, List.of(run), GroupCommitIT::runIds);
  }

  private static String runIds(List<RunOutcome> outcomes) {
    return outcomes.stream().map(RunOutcome::runId).collect(Collectors.joining(","));
  }

  private static String runIdOf(Delivery delivery) {
    return delivery.runs().get(0).runId();
  }

  private static List<Acceptance> awaitAll(List<Uni<Acceptance>> outcomes) {
    return outcomes.stream().map(u -> u.await().atMost(WAIT)).toList();
  }

  private static long outboxRows(String application) {
    return Database.number("SELECT count(*) FROM outbox WHERE application = ?", application);
  }

  private static String key() {
    return UUID.randomUUID().toString();
  }
}

package dev.slipway.trigger.messaging;

import dev.slipway.events.AccessPolicy;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.trigger.repository.AccessRepository;
import dev.slipway.work.access.AccessPolicyFeed;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Publishes the access policy: for every logged change (access_log), in version order, one
 * access.policy record carrying the change and the policy as it stands, keyed {@link
 * AccessPolicy#KEY}, marked sent after Kafka's ack (one relay at a time across instances, by an
 * advisory lock). The topic is compacted, so a service reading it from the beginning ends on the
 * current policy, while the audit store keeps every record, so every change with its actor. This
 * service's own decisions use the policy as soon as a change commits ({@link #changed}).
 */
@ApplicationScoped
public class AccessPolicyRelay {

  static final String CHANNEL = "access-policy";

  private static final Logger LOG = Logger.getLogger(AccessPolicyRelay.class);
  private static final Duration POLL = Duration.ofSeconds(1);
  private static final Duration ACK = Duration.ofSeconds(10);
  private static final int BATCH = 20;

  private final AccessRepository repository;
  private final AccessPolicyFeed feed;
  private final MutinyEmitter<AccessPolicy> emitter;
  private final Vertx vertx;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final AtomicReference<String> lastFailure = new AtomicReference<>();
  private long timer = -1;

  public AccessPolicyRelay(
      AccessRepository repository,
      AccessPolicyFeed feed,
      @Channel(CHANNEL) MutinyEmitter<AccessPolicy> emitter,
      Vertx vertx) {
    this.repository = repository;
    this.feed = feed;
    this.emitter = emitter;
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent event) {
    repository
        .current(repository.pool())
        .subscribe()
        .with(
            feed::authoritative,
            failure -> LOG.warnf("the access policy could not be read at start: %s", failure));
    timer = vertx.setPeriodic(POLL.toMillis(), ignored -> wake());
  }

  void stop(@Observes ShutdownEvent event) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** A change committed: decide with it here at once, and relay it. */
  public Uni<Void> changed() {
    return repository
        .current(repository.pool())
        .invoke(feed::authoritative)
        .invoke(this::wake)
        .replaceWithVoid();
  }

  /** Relays soon. */
  public void wake() {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    relay()
        .subscribe()
        .with(
            sent -> {
              running.set(false);
              // A round that went through (also one with nothing to send, or whose lock another
              // instance holds) ends this instance's failure: no stale error in its health.
              lastFailure.set(null);
              if (again.getAndSet(false) || sent == BATCH) {
                wake();
              }
            },
            failure -> {
              running.set(false);
              again.set(false);
              lastFailure.set(failure.toString());
              LOG.warnf(
                  "relaying the access policy failed, trying again later: %s", failure.toString());
            });
  }

  /**
   * Why the last round failed, or empty once a round went through again: what the health check
   * shows beside the unsent changes (a policy Kafka refuses blocks every later change, as each
   * carries the whole policy).
   */
  public Optional<String> lastFailure() {
    return Optional.ofNullable(lastFailure.get());
  }

  private Uni<Integer> relay() {
    return repository
        .pool()
        .withTransaction(
            tx ->
                tx.query("SELECT pg_try_advisory_xact_lock(hashtext('access-policy-relay'))")
                    .execute()
                    .map(rows -> rows.iterator().next().getBoolean(0))
                    .flatMap(
                        locked -> {
                          if (!locked) {
                            return Uni.createFrom().item(0);
                          }
                          List<Long> versions = new ArrayList<>();
                          return repository
                              .unsent(tx, BATCH, versions)
                              .flatMap(
                                  changes -> {
                                    if (changes.isEmpty()) {
                                      return Uni.createFrom().item(0);
                                    }
                                    Uni<Void> chain = Uni.createFrom().voidItem();
                                    for (int i = 0; i < changes.size(); i++) {
                                      long version = versions.get(i);
                                      AccessPolicy.Change change = changes.get(i);
                                      chain =
                                          chain.call(
                                              () ->
                                                  repository
                                                      .policy(tx, version, change)
                                                      .flatMap(this::publish));
                                    }
                                    return chain
                                        .call(() -> repository.markSent(tx, versions))
                                        .replaceWith(changes.size());
                                  });
                        }));
  }

  private Uni<Void> publish(AccessPolicy policy) {
    String id = Envelope.derivedId("access.policy", String.valueOf(policy.version()));
    Envelope<AccessPolicy> event =
        new Envelope<>(
            id,
            "/slipway/trigger-service",
            EventType.ACCESS_POLICY.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            AccessPolicy.KEY,
            id,
            null,
            null,
            policy);
    return emitter
        .sendMessage(KafkaCloudEvents.toMessage(event))
        .ifNoItem()
        .after(ACK)
        .fail()
        .invoke(
            () -> {
              feed.offer(policy);
              LOG.infof(
                  "access policy version %d published: %s by %s",
                  policy.version(), policy.change().action(), policy.change().actor());
            });
  }
}

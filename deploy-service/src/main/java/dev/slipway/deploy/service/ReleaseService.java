package dev.slipway.deploy.service;

import dev.slipway.deploy.Release;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.repository.ReleaseRepository;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.problem.ConflictException;
import dev.slipway.problem.NotFoundException;
import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.outbox.OutboxWritten;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Release history and manual rollback. A rollback is a deploy.requested (reason ROLLBACK, the
 * revision named) published through the outbox: it takes the same path as every rollout, waits its
 * turn behind one in progress, and appears in every consumer's view of the run.
 */
@ApplicationScoped
public class ReleaseService {

  private static final Logger LOG = Logger.getLogger(ReleaseService.class);

  private final ReleaseRepository releases;
  private final Outbox outbox;
  private final Pool pool;
  private final Event<OutboxWritten> outboxWritten;

  public ReleaseService(
      ReleaseRepository releases, Outbox outbox, Pool pool, Event<OutboxWritten> outboxWritten) {
    this.releases = releases;
    this.outbox = outbox;
    this.pool = pool;
    this.outboxWritten = outboxWritten;
  }

  /**
   * The releases of an application in an environment, newest first, before revision {@code after}
   * when given.
   */
  public Uni<List<Release>> history(String application, String environment, Long after, int limit) {
    return releases
        .history(application, environment, after, limit)
        .invoke(
            found -> {
              if (found.isEmpty() && after == null) {
                throw new NotFoundException(
                    "%s has no releases in %s".formatted(application, environment));
              }
            });
  }

  /**
   * Asks for {@code revision} to be restored.
   *
   * @param idempotencyKey the caller's key: the same key asks once; null: every call asks anew
   */
  public Uni<RollbackRequested> rollback(
      String application, String environment, long revision, Caller caller, String idempotencyKey) {
    return releases
        .revision(application, environment, revision)
        .call(
            found ->
                found.isPresent()
                    ? Uni.createFrom().voidItem()
                    : history(application, environment, null, 1)
                        .invoke(
                            latest -> {
                              throw new NotFoundException(
                                  "revision %d of %s in %s does not exist (the latest is %d)"
                                      .formatted(
                                          revision,
                                          application,
                                          environment,
                                          latest.get(0).revision()));
                            }))
        .map(found -> found.orElseThrow())
        .flatMap(
            found -> {
              if (found.status() != RolloutStatus.SUCCEEDED) {
                throw new ConflictException(
                    "revision %d did not succeed (%s); only a revision that served can be restored"
                        .formatted(revision, found.status()));
              }
              Envelope<DeployRequested> request =
                  request(application, environment, found.revision(), caller, idempotencyKey);
              return pool.withTransaction(tx -> outbox.add(Tx.of(tx), request))
                  .replaceWith(
                      new RollbackRequested(
                          request.id(), revision, found.revision().imageDigest()));
            })
        .invoke(
            accepted -> {
              LOG.infof(
                  "%s asked to restore revision %d of %s in %s (request %s)",
                  caller.name(), revision, application, environment, accepted.requestId());
              outboxWritten.fire(OutboxWritten.ROWS);
            });
  }

  private static Envelope<DeployRequested> request(
      String application,
      String environment,
      Revision revision,
      Caller caller,
      String idempotencyKey) {
    String id =
        idempotencyKey == null
            ? UUID.randomUUID().toString()
            : Envelope.derivedId(
                "rollback", application, environment, caller.name(), idempotencyKey);
    return new Envelope<>(
        id,
        PromotionPlanner.SOURCE,
        EventType.DEPLOY_REQUESTED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        application,
        revision.runId(),
        null,
        revision.commitSha(),
        new DeployRequested(
            environment,
            revision.image(),
            revision.imageDigest(),
            DeployRequested.Reason.ROLLBACK,
            caller.name(),
            revision.run(),
            List.of(),
            revision.revision()));
  }

  /**
   * A rollback that was asked for.
   *
   * @param requestId the id of its deploy.requested: the id of the rollout that will restore
   * @param revision the revision to restore
   * @param imageDigest that revision's digest
   */
  public record RollbackRequested(String requestId, long revision, String imageDigest) {}
}

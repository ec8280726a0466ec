package dev.slipway.deploy.service;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.deploy.ChangePush;
import dev.slipway.deploy.problem.SelfApprovalException;
import dev.slipway.deploy.repository.ApprovalDecisions;
import dev.slipway.deploy.repository.ApprovalRepository;
import dev.slipway.deploy.repository.ChangeLedger;
import dev.slipway.events.ApprovalDecided;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;
import dev.slipway.problem.ConflictException;
import dev.slipway.problem.NotFoundException;
import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.outbox.OutboxWritten;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Decides manual promotions. An approval counts distinct approvers until the environment's number
 * is reached; then it is APPROVED and a deploy.requested (reason APPROVAL, naming the approval)
 * goes out through the outbox in the same transaction. Nobody who wrote, committed or pushed a
 * commit of the change since the environment's release, nor whoever asked for a manual run, may
 * approve it ({@link FourEyes}); an expired approval takes no more votes. Every vote and decision
 * is an approval.decided event in the same transaction. Decisions lock the approval row, so two
 * approvers at once are counted in turn.
 */
@ApplicationScoped
public class ApprovalService {

  private static final Logger LOG = Logger.getLogger(ApprovalService.class);

  private final Pool pool;
  private final ApprovalRepository approvals;
  private final ChangeLedger ledger;
  private final Outbox outbox;
  private final Event<OutboxWritten> outboxWritten;

  public ApprovalService(
      Pool pool,
      ApprovalRepository approvals,
      ChangeLedger ledger,
      Outbox outbox,
      Event<OutboxWritten> outboxWritten) {
    this.pool = pool;
    this.approvals = approvals;
    this.ledger = ledger;
    this.outbox = outbox;
    this.outboxWritten = outboxWritten;
  }

  /**
   * Approvals of {@code applications} (null: all), newest first, after approval {@code after} when
   * given.
   */
  public Uni<List<Approval>> list(
      List<String> applications, ApprovalStatus status, String after, int limit) {
    return approvals.list(applications, status, after, limit);
  }

  /** One approval. */
  public Uni<Approval> get(String id) {
    return approvals.find(id).map(found -> found.orElseThrow(() -> notFound(id)).view());
  }

  /** {@code caller} approves; the approval as it stands afterwards. */
  public Uni<Approval> approve(String id, Caller caller) {
    return pool.withTransaction(
            tx ->
                approvals
                    .lock(tx, id)
                    .map(found -> open(found, id))
                    .call(stored -> refuseSelfApproval(tx, stored, caller))
                    .call(
                        stored ->
                            approvals
                                .vote(tx, id, caller.user(), caller.name())
                                .invoke(
                                    counted -> {
                                      if (!counted) {
                                        throw new ConflictException(
                                            caller.name() + " already approved " + id);
                                      }
                                    }))
                    .flatMap(stored -> approvals.lock(tx, id).map(Optional::orElseThrow))
                    .flatMap(
                        stored -> {
                          Approval view = stored.view();
                          if (view.approvals().size() < view.required()) {
                            return outbox
                                .add(
                                    Tx.of(tx),
                                    ApprovalDecisions.event(
                                        stored,
                                        ApprovalDecided.Decision.VOTED,
                                        caller.user(),
                                        null))
                                .replaceWith(view);
                          }
                          return approvals
                              .decide(tx, id, ApprovalStatus.APPROVED, null, caller.user())
                              .call(
                                  () ->
                                      outbox.add(
                                          Tx.of(tx),
                                          ApprovalDecisions.event(
                                              stored,
                                              ApprovalDecided.Decision.APPROVED,
                                              caller.user(),
                                              null)))
                              .call(() -> outbox.add(Tx.of(tx), deployRequest(stored, caller)))
                              .flatMap(done -> approvals.lock(tx, id))
                              .map(latest -> latest.orElseThrow().view());
                        }))
        .invoke(
            view -> {
              LOG.infof(
                  "run %s: %s approved the promotion of %s to %s (%d of %d)%s",
                  view.runId(),
                  caller.name(),
                  view.application(),
                  view.environment(),
                  view.approvals().size(),
                  view.required(),
                  view.status() == ApprovalStatus.APPROVED ? "; deploy requested" : "");
              outboxWritten.fire(OutboxWritten.ROWS);
            });
  }

  /** {@code caller} rejects with {@code reason}; nothing is deployed. */
  public Uni<Approval> reject(String id, Caller caller, String reason) {
    return pool.withTransaction(
            tx ->
                approvals
                    .lock(tx, id)
                    .map(found -> open(found, id))
                    .call(
                        stored ->
                            approvals.decide(
                                tx, id, ApprovalStatus.REJECTED, reason, caller.user()))
                    .call(
                        stored ->
                            outbox.add(
                                Tx.of(tx),
                                ApprovalDecisions.event(
                                    stored,
                                    ApprovalDecided.Decision.REJECTED,
                                    caller.user(),
                                    reason)))
                    .flatMap(stored -> approvals.lock(tx, id))
                    .map(latest -> latest.orElseThrow().view()))
        .invoke(
            view -> {
              LOG.infof(
                  "run %s: %s rejected the promotion of %s to %s: %s",
                  view.runId(), caller.name(), view.application(), view.environment(), reason);
              outboxWritten.fire(OutboxWritten.ROWS);
            });
  }

  /** The approval if it may still be decided: pending and unexpired. */
  private static ApprovalRepository.Stored open(
      Optional<ApprovalRepository.Stored> found, String id) {
    ApprovalRepository.Stored stored = found.orElseThrow(() -> notFound(id));
    Approval view = stored.view();
    if (view.status() != ApprovalStatus.PENDING) {
      throw new ConflictException(
          "approval "
              + id
              + " is "
              + view.status()
              + (view.reason() == null ? "" : " (" + view.reason() + ")")
              + "; only a PENDING approval can be decided");
    }
    if (!view.expiresAt().isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
      throw new ConflictException(
          "approval " + id + " expired at " + view.expiresAt() + "; it can no longer be decided");
    }
    return stored;
  }

  private Uni<Void> refuseSelfApproval(
      SqlClient tx, ApprovalRepository.Stored stored, Caller caller) {
    Approval view = stored.view();
    RunContext run = stored.run();
    // A run that names its Git host was started by a commit.received: until the ledger has it, the
    // pushes of the change are not all known, and nobody can be cleared of having written them.
    Uni<Void> known =
        run.provider() == null
            ? Uni.createFrom().voidItem()
            : ledger
                .knows(tx, view.runId())
                .invoke(
                    found -> {
                      if (!found) {
                        throw new ConflictException(
                            "the pushes of run "
                                + view.runId()
                                + " are not known to deploy-service yet (its commit.received is"
                                + " still on its way); try again in a moment");
                      }
                    })
                .replaceWithVoid();
    return known
        .chain(
            () ->
                ledger.changeSinceRelease(
                    tx, view.application(), view.environment(), run.ref(), view.runId()))
        .invoke(
            earlier -> {
              List<ChangePush> pushes = new ArrayList<>();
              pushes.add(
                  new ChangePush(
                      view.commitSha(),
                      run.provider(),
                      run.actor(),
                      run.author(),
                      run.contributors()));
              pushes.addAll(earlier);
              FourEyes.refusal(caller, pushes, view.environment())
                  .ifPresent(
                      why -> {
                        throw new SelfApprovalException(why);
                      });
            })
        .replaceWithVoid();
  }

  private static Envelope<DeployRequested> deployRequest(
      ApprovalRepository.Stored stored, Caller caller) {
    Approval view = stored.view();
    List<String> approvers = view.approvals().stream().map(Approval.Vote::name).toList();
    return new Envelope<>(
        Envelope.derivedId("deploy.requested", view.id()),
        PromotionPlanner.SOURCE,
        EventType.DEPLOY_REQUESTED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        view.application(),
        view.runId(),
        stored.causeEventId(),
        view.commitSha(),
        new DeployRequested(
            view.environment(),
            view.image(),
            view.imageDigest(),
            DeployRequested.Reason.APPROVAL,
            caller.name(),
            stored.run(),
            approvers,
            null,
            view.id(),
            null));
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("approval " + id + " does not exist");
  }
}

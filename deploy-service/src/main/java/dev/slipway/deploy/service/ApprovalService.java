package dev.slipway.deploy.service;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.deploy.messaging.OutboxRelay;
import dev.slipway.deploy.problem.SelfApprovalException;
import dev.slipway.deploy.repository.ApprovalRepository;
import dev.slipway.deploy.repository.OutboxRepository;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.RunContext;
import dev.slipway.problem.ConflictException;
import dev.slipway.problem.NotFoundException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Decides manual promotions. An approval counts distinct approvers until the environment's number
 * is reached; then it is APPROVED and a deploy.requested (reason APPROVAL, approvers listed) goes
 * out through the outbox in the same transaction. The commit's author and the run's actor cannot
 * approve their own change. Decisions lock the approval row, so two approvers at once are counted
 * in turn.
 */
@ApplicationScoped
public class ApprovalService {

  private static final Logger LOG = Logger.getLogger(ApprovalService.class);

  private final Pool pool;
  private final ApprovalRepository approvals;
  private final OutboxRepository outbox;
  private final OutboxRelay relay;

  public ApprovalService(
      Pool pool, ApprovalRepository approvals, OutboxRepository outbox, OutboxRelay relay) {
    this.pool = pool;
    this.approvals = approvals;
    this.outbox = outbox;
    this.relay = relay;
  }

  /** Approvals, newest first, after approval {@code after} when given. */
  public Uni<List<Approval>> list(
      String application, ApprovalStatus status, String after, int limit) {
    return approvals.list(application, status, after, limit);
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
                    .map(found -> pending(found, id))
                    .invoke(stored -> refuseSelfApproval(stored, caller))
                    .call(
                        stored ->
                            approvals
                                .vote(tx, id, caller.name())
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
                            return Uni.createFrom().item(view);
                          }
                          return approvals
                              .decide(tx, id, ApprovalStatus.APPROVED, null, caller.name())
                              .call(() -> outbox.add(tx, deployRequest(stored, caller)))
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
              if (view.status() == ApprovalStatus.APPROVED) {
                relay.nudge();
              }
            });
  }

  /** {@code caller} rejects with {@code reason}; nothing is deployed. */
  public Uni<Approval> reject(String id, Caller caller, String reason) {
    return pool.withTransaction(
            tx ->
                approvals
                    .lock(tx, id)
                    .map(found -> pending(found, id))
                    .call(
                        stored ->
                            approvals.decide(
                                tx, id, ApprovalStatus.REJECTED, reason, caller.name()))
                    .flatMap(stored -> approvals.lock(tx, id))
                    .map(latest -> latest.orElseThrow().view()))
        .invoke(
            view ->
                LOG.infof(
                    "run %s: %s rejected the promotion of %s to %s: %s",
                    view.runId(), caller.name(), view.application(), view.environment(), reason));
  }

  private static ApprovalRepository.Stored pending(
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
    return stored;
  }

  private static void refuseSelfApproval(ApprovalRepository.Stored stored, Caller caller) {
    RunContext run = stored.run();
    Person author = run.author();
    String commit =
        stored.view().commitSha() == null
            ? "the commit"
            : "commit "
                + stored
                    .view()
                    .commitSha()
                    .substring(0, Math.min(7, stored.view().commitSha().length()));
    if (caller.is(author.username()) || caller.is(author.email()) || caller.is(author.name())) {
      throw new SelfApprovalException(
          caller.name()
              + " wrote "
              + commit
              + " (author "
              + author.name()
              + ") and cannot approve its promotion to "
              + stored.view().environment()
              + "; another approver must");
    }
    if (caller.is(run.actor())) {
      throw new SelfApprovalException(
          caller.name()
              + " pushed "
              + commit
              + " (the run's actor) and cannot approve its promotion to "
              + stored.view().environment()
              + "; another approver must");
    }
  }

  private static Envelope<DeployRequested> deployRequest(
      ApprovalRepository.Stored stored, Caller caller) {
    Approval view = stored.view();
    List<String> approvers = view.approvals().stream().map(Approval.Vote::approver).toList();
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
            null));
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("approval " + id + " does not exist");
  }
}

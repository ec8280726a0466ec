package dev.slipway.deploy.service;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.messaging.OutboxRelay;
import dev.slipway.deploy.repository.ApprovalRepository;
import dev.slipway.events.ApprovalDecided;
import dev.slipway.events.EnvironmentSpec;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps live approvals honest, every sweep interval: one whose time ran out is EXPIRED; one whose
 * digest failed (FAILED, ROLLED_BACK) in an environment before its own, or whose lower environment
 * took a newer release, since it was opened, is REVOKED. Each closing is one transaction with its
 * approval.decided. A rollout checks the same facts again when it starts, so a sweep that has not
 * run yet never lets a stale approval through.
 */
@ApplicationScoped
public class ApprovalSweeper {

  private static final Logger LOG = Logger.getLogger(ApprovalSweeper.class);
  private static final int BATCH = 200;

  private final Pool pool;
  private final ApprovalRepository approvals;
  private final OutboxRelay relay;
  private final DeployConfig.Trust settings;
  private final Vertx vertx;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile long timerId = -1;

  public ApprovalSweeper(
      Pool pool,
      ApprovalRepository approvals,
      OutboxRelay relay,
      DeployConfig config,
      Vertx vertx) {
    this.pool = pool;
    this.approvals = approvals;
    this.relay = relay;
    this.settings = config.trust();
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent event) {
    timerId = vertx.setPeriodic(settings.sweepInterval().toMillis(), ignored -> sweep());
  }

  void stop(@Observes ShutdownEvent event) {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /** Looks at every live approval once; overlapping calls run once. */
  public void sweep() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    pool.withTransaction(tx -> approvals.live(tx, BATCH))
        .onItem()
        .transformToMulti(live -> io.smallrye.mutiny.Multi.createFrom().iterable(live))
        .onItem()
        .transformToUniAndConcatenate(this::judge)
        .collect()
        .asList()
        .subscribe()
        .with(
            closed -> {
              running.set(false);
              if (closed.stream().anyMatch(Boolean::booleanValue)) {
                relay.nudge();
              }
            },
            failure -> {
              running.set(false);
              LOG.warnf("checking approvals failed, trying again later: %s", failure.toString());
            });
  }

  private Uni<Boolean> judge(ApprovalRepository.Stored stored) {
    Approval view = stored.view();
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    if (!view.expiresAt().isAfter(now)) {
      return close(
          stored,
          ApprovalStatus.EXPIRED,
          ApprovalDecided.Decision.EXPIRED,
          "expired at " + view.expiresAt() + " before it was used");
    }
    List<String> lower = lowerEnvironments(stored);
    if (lower.isEmpty()) {
      return Uni.createFrom().item(false);
    }
    return pool.withTransaction(
            tx -> approvals.outcomesSince(tx, view.application(), lower, view.createdAt()))
        .flatMap(
            outcomes ->
                revocation(view, outcomes)
                    .map(
                        why ->
                            close(
                                stored,
                                ApprovalStatus.REVOKED,
                                ApprovalDecided.Decision.REVOKED,
                                why))
                    .orElse(Uni.createFrom().item(false)));
  }

  private Uni<Boolean> close(
      ApprovalRepository.Stored stored,
      ApprovalStatus status,
      ApprovalDecided.Decision decision,
      String reason) {
    return pool.withTransaction(
            tx -> approvals.closeWithEvent(tx, stored, status, decision, reason))
        .invoke(
            closed -> {
              if (closed) {
                LOG.infof(
                    "run %s: approval %s of %s into %s %s: %s",
                    stored.view().runId(),
                    stored.view().id(),
                    stored.view().application(),
                    stored.view().environment(),
                    status,
                    reason);
              }
            });
  }

  /** Why what {@code view} approved no longer holds below it, if it does not. */
  public static Optional<String> revocation(
      Approval view, List<ApprovalRepository.LowerOutcome> outcomes) {
    for (ApprovalRepository.LowerOutcome outcome : outcomes) {
      boolean same = outcome.imageDigest().equals(view.imageDigest());
      if (same && !"SUCCEEDED".equals(outcome.status())) {
        return Optional.of(
            "%s %s in %s (rollout %s) after this approval was opened"
                .formatted(
                    view.imageDigest(),
                    outcome.status(),
                    outcome.environment(),
                    outcome.rolloutId()));
      }
      if (!same && "SUCCEEDED".equals(outcome.status())) {
        return Optional.of(
            "%s now runs a newer release, %s (rollout %s), than the approved %s"
                .formatted(
                    outcome.environment(),
                    outcome.imageDigest(),
                    outcome.rolloutId(),
                    view.imageDigest()));
      }
    }
    return Optional.empty();
  }

  /** The environments of the approval's chain before its own. */
  public static List<String> lowerEnvironments(ApprovalRepository.Stored stored) {
    List<String> lower = new ArrayList<>();
    for (EnvironmentSpec environment : stored.run().pipeline().environments()) {
      if (environment.name().equals(stored.view().environment())) {
        return lower;
      }
      lower.add(environment.name());
    }
    return lower;
  }
}

package dev.slipway.deploy.rollout;

import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.ClusterUnreachableException;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The rollout state machine (DESIGN.md beside this class): one {@link #turn} reads the rollout as
 * stored, looks at the cluster, does at most one step and records it, so a worker that dies between
 * turns leaves nothing that a later turn, on any instance, does not pick up from the stored phase
 * and the cluster's state. The steps themselves are {@link RolloutStarter}, {@link RollingSteps}
 * and {@link CanarySteps}; {@link RolloutOutcomes} ends a rollout.
 */
@ApplicationScoped
public class RolloutEngine {

  private static final Logger LOG = Logger.getLogger(RolloutEngine.class);
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

  private final RolloutWorkRepository work;
  private final RolloutStarter starter;
  private final RollingSteps rolling;
  private final CanarySteps canary;
  private final RolloutOutcomes outcomes;
  private final RolloutSupport support;
  private final DeployConfig.Rollouts settings;

  RolloutEngine(
      RolloutWorkRepository work,
      RolloutStarter starter,
      RollingSteps rolling,
      CanarySteps canary,
      RolloutOutcomes outcomes,
      RolloutSupport support,
      DeployConfig config) {
    this.work = work;
    this.starter = starter;
    this.rolling = rolling;
    this.canary = canary;
    this.outcomes = outcomes;
    this.support = support;
    this.settings = config.rollouts();
  }

  /**
   * One turn of rollout {@code id} for the worker {@code owner}.
   *
   * @param claimed whether {@code owner} just claimed it (a running one was then left by another
   *     worker, whose lease expired: noted in its log)
   * @return when to take the next turn; empty when the rollout is finished or not this worker's
   * @throws RolloutWorkRepository.LeaseLostException when another instance took the rollout over
   * @throws StoreUnavailableException when the database could not be used; try again later
   */
  public Optional<Duration> turn(String id, String owner, boolean claimed) {
    RolloutWorkRepository.Stored stored = work.load(id).orElse(null);
    if (stored == null
        || !owner.equals(stored.leaseOwner())
        || stored.state().status().finished()) {
      return Optional.empty();
    }
    RolloutState rollout = stored.state();
    if (claimed && rollout.status() == RolloutStatus.RUNNING) {
      String message =
          "resumed by %s in phase %s, step %d, from the stored progress and the cluster's state"
              .formatted(owner, rollout.progress().phase(), rollout.progress().step() + 1);
      work.note(id, owner, message);
      LOG.infof("run %s: rollout %s %s", rollout.runId(), id, message);
    }
    RolloutStarter.Settled settled = null;
    Step step;
    try {
      if (rollout.progress().phase() == RolloutPhase.QUEUED) {
        RolloutStarter.Resolution resolution = starter.resolve(rollout);
        if (resolution.refusal() != null) {
          step = resolution.refusal();
        } else {
          settled = resolution.settled();
          step = starter.start(rollout, settled);
        }
      } else {
        step = advance(rollout);
      }
    } catch (ClusterUnreachableException e) {
      step = unreachable(rollout, settled, e);
    } catch (ClusterRefusedException e) {
      step =
          settled != null
              ? RolloutStarter.finishEarly(
                  settled, RolloutStatus.FAILED, e.getMessage(), null, null, false)
              : support.failed(rollout, e.getMessage());
    }
    return persist(rollout, owner, step);
  }

  private Step advance(RolloutState r) {
    return switch (r.progress().phase()) {
      case PROGRESSING -> rolling.progressing(r);
      case CANARY -> canary.canary(r);
      case PROMOTING -> canary.promoting(r);
      case ROLLING_BACK -> rolling.rollingBack(r);
      case CLEANING_UP -> rolling.cleaningUp(r);
      case QUEUED, DONE ->
          throw new IllegalStateException("rollout " + r.id() + " is " + r.progress().phase());
    };
  }

  private Step unreachable(
      RolloutState r, RolloutStarter.Settled settled, ClusterUnreachableException e) {
    Progress p = r.progress();
    int attempts = p.clusterFailures() + 1;
    if (attempts < settings.clusterAttempts()) {
      Duration delay = settings.clusterRetryDelay().multipliedBy(1L << Math.min(attempts - 1, 10));
      return new Step.Continue(
          p.clusterFailed(),
          "cluster unreachable (attempt %d of %d): %s"
              .formatted(attempts, settings.clusterAttempts(), e.getMessage()),
          delay.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay);
    }
    boolean nothingApplied =
        p.phase() == RolloutPhase.QUEUED
            || !p.applied()
                && (p.phase() == RolloutPhase.PROGRESSING
                    || p.phase() == RolloutPhase.CANARY && p.step() == 0);
    String reason =
        "%s; gave up after %d attempts; %s"
            .formatted(
                e.getMessage(),
                attempts,
                nothingApplied
                    ? "nothing was applied"
                        + (r.restoreRevision() == null
                            ? ""
                            : "; revision " + r.restoreRevision() + " served when it started")
                    : "the rollout was in phase "
                        + p.phase()
                        + ", so what runs in namespace "
                        + r.namespace()
                        + " is unknown");
    if (settled != null) {
      return RolloutStarter.finishEarly(settled, RolloutStatus.FAILED, reason, null, null, false);
    }
    if (p.phase() == RolloutPhase.QUEUED) {
      return starter
          .refuse(r, r.run(), e.getMessage() + "; gave up after " + attempts + " attempts")
          .refusal();
    }
    return new Step.Finish(RolloutStatus.FAILED, reason, null, null, false);
  }

  private Optional<Duration> persist(RolloutState r, String owner, Step step) {
    Duration lease = settings.lease();
    if (step instanceof Step.Start start) {
      long revision = work.start(r.id(), owner, start.start(), start.progress(), lease);
      LOG.infof(
          "run %s: rollout %s of %s to %s is revision %d: %s",
          r.runId(), r.id(), r.application(), r.environment(), revision, start.start().message());
      return Optional.of(start.after());
    }
    if (step instanceof Step.Continue next) {
      if (next.progress() != null) {
        work.save(r.id(), owner, next.progress(), next.message(), lease);
        if (next.message() != null) {
          LOG.infof(
              "run %s: rollout %s of %s to %s: %s",
              r.runId(), r.id(), r.application(), r.environment(), next.message());
        }
      } else if (r.progress().clusterFailures() > 0) {
        work.save(r.id(), owner, r.progress().clusterAnswered(), "cluster answers again", lease);
      }
      return Optional.of(next.after());
    }
    outcomes.finish(r, owner, (Step.Finish) step);
    return Optional.empty();
  }
}

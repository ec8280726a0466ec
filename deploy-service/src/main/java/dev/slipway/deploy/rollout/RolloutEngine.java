package dev.slipway.deploy.rollout;

import dev.slipway.deploy.Progress;
import dev.slipway.deploy.RolloutPhase;
import dev.slipway.deploy.RolloutState;
import dev.slipway.deploy.RolloutStatus;
import dev.slipway.deploy.client.ClusterUnreachableException;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository;
import dev.slipway.deploy.repository.RolloutWorkRepository.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
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
   * One turn of the rollout {@code held}, fenced by its lease.
   *
   * @param claimed whether it was just claimed (a running one was then left by another worker,
   *     whose lease expired: noted in its log)
   * @return when to take the next turn; empty when the rollout is finished or not this worker's
   * @throws RolloutWorkRepository.LeaseLostException when another worker took the rollout over, or
   *     the lease was given up (nothing was written, and the cluster no longer touched)
   * @throws StoreUnavailableException when the database could not be used; try again later
   */
  public Optional<Duration> turn(HeldRollout held, boolean claimed) {
    String id = held.id();
    String owner = held.owner();
    RolloutWorkRepository.Stored stored = work.load(id).orElse(null);
    if (stored == null || !stored.heldBy(held.lease()) || stored.state().status().isFinal()) {
      return Optional.empty();
    }
    RolloutState rollout = stored.state();
    if (claimed && rollout.status() == RolloutStatus.RUNNING) {
      String message =
          "resumed by %s in phase %s, step %d, from the stored progress and the cluster's state"
              .formatted(owner, rollout.progress().phase(), rollout.progress().step() + 1);
      work.note(held.lease(), message);
      LOG.infof("run %s: rollout %s %s", rollout.runId(), id, message);
    }
    RolloutObjectsRepository.Objects objects = support.objects().load(id);
    if (objects.command() != null) {
      Optional<Step> commanded = command(rollout, objects, held);
      if (commanded.isPresent()) {
        return persist(rollout, held, commanded.get());
      }
      objects = support.objects().load(id);
    }
    if (objects.pausedAt() != null) {
      return Optional.of(settings.pollInterval());
    }
    RolloutStarter.Settled settled = null;
    Step step;
    try {
      if (rollout.progress().phase() == RolloutPhase.QUEUED) {
        RolloutStarter.Resolution resolution = starter.resolve(rollout, held);
        if (resolution.refusal() != null) {
          step = resolution.refusal();
        } else {
          settled = resolution.settled();
          step = starter.start(rollout, settled, held);
        }
      } else {
        step = advance(rollout, objects, held);
      }
    } catch (ClusterUnreachableException e) {
      step = unreachable(rollout, settled, e);
    } catch (ClusterRefusedException e) {
      step =
          settled != null
              ? RolloutStarter.finishEarly(
                  settled, RolloutStatus.FAILED, e.getMessage(), null, null, false)
              : support.failed(rollout, e.getMessage());
    } catch (RolloutWorkRepository.LeaseLostException | StoreUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      step = unexpected(rollout, settled, held, e);
    }
    return persist(rollout, held, step);
  }

  /**
   * A failure nobody expected (a bug, a cluster answer this code cannot read): logged with an error
   * id and tried again a bounded number of times, then the rollout fails naming that id, so one
   * broken rollout never holds its environment (rollbacks included) forever.
   */
  private Step unexpected(
      RolloutState r, RolloutStarter.Settled settled, HeldRollout held, RuntimeException e) {
    String errorId = java.util.UUID.randomUUID().toString();
    int count = support.objects().recordError(held.lease());
    int limit = settings.unexpectedErrorLimit();
    LOG.errorf(
        e,
        "run %s: rollout %s: unexpected failure %d of %d (error id %s)",
        r.runId(),
        r.id(),
        count,
        limit,
        errorId);
    String reason =
        "unexpected error (error id %s, %d attempts): %s"
            .formatted(errorId, count, String.valueOf(e.getMessage()));
    if (count < limit) {
      work.note(
          held.lease(),
          "unexpected error (error id %s), attempt %d of %d; trying again"
              .formatted(errorId, count, limit));
      return Step.wait(settings.clusterRetryDelay().multipliedBy(count));
    }
    if (settled != null) {
      return RolloutStarter.finishEarly(settled, RolloutStatus.FAILED, reason, null, null, false);
    }
    if (r.progress().phase() == RolloutPhase.QUEUED) {
      return starter.refuse(r, r.run(), reason).refusal();
    }
    return support.failed(r, reason);
  }

  /**
   * Carries out an operator's command: an abort fails the rollout (it then rolls back or cleans
   * up), a pause stops it where it is (its timeouts stop too), a resume goes on, a promote skips
   * the rest of the canary steps and their analysis. Empty when the turn goes on as usual.
   */
  private Optional<Step> command(
      RolloutState r, RolloutObjectsRepository.Objects objects, HeldRollout held) {
    RolloutObjectsRepository objectsRepository = support.objects();
    OffsetDateTime now = RolloutSupport.now();
    String by = objects.commandBy();
    Progress p = r.progress();
    switch (objects.command()) {
      case ABORT -> {
        objectsRepository.commandDone(held.lease(), null);
        if (p.phase() == RolloutPhase.QUEUED) {
          return Optional.of(
              starter.refuse(r, r.run(), "aborted by " + by + " before it started").refusal());
        }
        if (p.phase() == RolloutPhase.ROLLING_BACK || p.phase() == RolloutPhase.CLEANING_UP) {
          return Optional.empty();
        }
        return Optional.of(support.failed(r, "aborted by " + by));
      }
      case PAUSE -> {
        objectsRepository.commandDone(held.lease(), now);
        return Optional.of(
            new Step.Continue(
                p, "paused by " + by + " at step " + (p.step() + 1), settings.pollInterval()));
      }
      case RESUME -> {
        objectsRepository.commandDone(held.lease(), null);
        Duration paused =
            objects.pausedAt() == null ? Duration.ZERO : Duration.between(objects.pausedAt(), now);
        return Optional.of(
            new Step.Continue(
                p.shifted(paused),
                "resumed by %s after %ds".formatted(by, paused.toSeconds()),
                Duration.ZERO));
      }
      case PROMOTE -> {
        objectsRepository.commandDone(held.lease(), null);
        if (p.phase() != RolloutPhase.CANARY) {
          return Optional.empty();
        }
        return Optional.of(
            new Step.Continue(
                p.enter(RolloutPhase.PROMOTING, p.step(), now),
                "promoted by %s at canary step %d of %d: the remaining steps and analysis are skipped"
                    .formatted(by, p.step() + 1, r.spec().canarySteps().size()),
                Duration.ZERO));
      }
    }
    return Optional.empty();
  }

  private Step advance(RolloutState r, RolloutObjectsRepository.Objects o, HeldRollout held) {
    return switch (r.progress().phase()) {
      case PROGRESSING -> rolling.progressing(r, o, held);
      case CANARY -> canary.canary(r, o, held);
      case PROMOTING -> canary.promoting(r, o, held);
      case ROLLING_BACK -> rolling.rollingBack(r, o, held);
      case CLEANING_UP -> rolling.cleaningUp(r, o, held);
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

  private Optional<Duration> persist(RolloutState r, HeldRollout held, Step step) {
    if (step instanceof Step.Start start) {
      long revision = work.start(held.lease(), start.start(), start.progress());
      LOG.infof(
          "run %s: rollout %s of %s to %s is revision %d: %s",
          r.runId(), r.id(), r.application(), r.environment(), revision, start.start().message());
      return Optional.of(start.after());
    }
    if (step instanceof Step.Continue next) {
      if (next.progress() != null) {
        work.save(held.lease(), next.progress(), next.message());
        if (next.message() != null) {
          LOG.infof(
              "run %s: rollout %s of %s to %s: %s",
              r.runId(), r.id(), r.application(), r.environment(), next.message());
        }
      } else if (r.progress().clusterFailures() > 0) {
        work.save(held.lease(), r.progress().clusterAnswered(), "cluster answers again");
      }
      return Optional.of(next.after());
    }
    outcomes.finish(r, held, (Step.Finish) step);
    return Optional.empty();
  }
}

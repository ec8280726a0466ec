package dev.slipway.deploy.verify;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.repository.ApprovalRepository;
import dev.slipway.deploy.repository.ReleaseRepository;
import dev.slipway.deploy.repository.ScanVerdicts;
import dev.slipway.deploy.service.ApprovalSweeper;
import dev.slipway.events.AccessPolicy;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import dev.slipway.work.access.AccessPolicyFeed;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * What a rollout checks before it applies anything, whoever wrote its deploy.requested:
 * scan-service passed the digest, and a request into a manual environment is backed by an approval
 * this service granted for this digest, unexpired, unrevoked and not used by another rollout.
 * Whether an environment is manual is never taken from the request alone: an environment the run's
 * pipeline, an earlier release or an earlier approval marked manual stays manual. A rollback
 * restores a revision this service released (checked by the starter) and is not checked again.
 * Blocking: it runs on a rollout worker.
 */
@ApplicationScoped
public class DeployVerifier {

  private static final Duration POLL = Duration.ofMillis(200);

  private static final String EVER_APPROVED =
      "SELECT EXISTS (SELECT 1 FROM approvals WHERE application = $1 AND environment = $2)";

  private static final String APPROVAL_OF_ROLLOUT =
      "SELECT approval_id FROM rollouts WHERE event_id = $1";

  private final Pool pool;
  private final ApprovalRepository approvals;
  private final ReleaseRepository releases;
  private final ScanVerdicts verdicts;
  private final AccessPolicyFeed feed;
  private final DeployConfig config;

  public DeployVerifier(
      Pool pool,
      ApprovalRepository approvals,
      ReleaseRepository releases,
      ScanVerdicts verdicts,
      AccessPolicyFeed feed,
      DeployConfig config) {
    this.pool = pool;
    this.approvals = approvals;
    this.releases = releases;
    this.verdicts = verdicts;
    this.feed = feed;
    this.config = config;
  }

  /**
   * Why rollout {@code rolloutId} must not apply {@code digest} to {@code environment}; empty when
   * it may.
   */
  public Optional<String> refusal(
      String rolloutId,
      String application,
      String environment,
      String digest,
      DeployRequested.Reason reason,
      RunContext run) {
    if (reason == DeployRequested.Reason.ROLLBACK) {
      return Optional.empty();
    }
    Optional<String> scan = scanRefusal(application, digest);
    if (scan.isPresent()) {
      return scan;
    }
    if (isManual(application, environment, run)) {
      return approvalRefusal(rolloutId, application, environment, digest, reason);
    }
    return Optional.empty();
  }

  private Optional<String> scanRefusal(String application, String digest) {
    long deadline = System.nanoTime() + config.trust().verdictWait().toNanos();
    Optional<ScanVerdicts.Verdict> verdict = await(verdicts.latest(application, digest));
    while (verdict.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      verdict = await(verdicts.latest(application, digest));
    }
    if (verdict.isEmpty()) {
      return Optional.of(
          "scan-service never passed %s of %s: no scan verdict for it (waited %ds)"
              .formatted(digest, application, config.trust().verdictWait().toSeconds()));
    }
    if (!verdict.get().passed()) {
      return Optional.of(
          "scan-service's verdict on %s is %s%s"
              .formatted(
                  digest,
                  verdict.get().verdict(),
                  verdict.get().reason() == null ? "" : " (" + verdict.get().reason() + ")"));
    }
    AccessPolicy.Application registered = feed.current().applications().get(application);
    if (registered != null && registered.scanPolicy() != null) {
      Optional<String> weaker =
          PolicyStrength.weakerThan(verdict.get().policy(), registered.scanPolicy());
      if (weaker.isPresent()) {
        return Optional.of(
            "scan-service passed %s under a weaker policy than %s's registry holds: it %s"
                .formatted(digest, application, weaker.get()));
      }
    }
    return Optional.empty();
  }

  private boolean isManual(String application, String environment, RunContext run) {
    AccessPolicy.Application registered = feed.current().applications().get(application);
    if (registered != null
        && registered.environments().stream()
            .anyMatch(
                gate ->
                    gate.name().equals(environment)
                        && gate.promotion() == EnvironmentSpec.Promotion.MANUAL)) {
      return true;
    }
    if (run != null
        && run.pipeline()
            .environment(environment)
            .map(e -> e.promotion() == EnvironmentSpec.Promotion.MANUAL)
            .orElse(false)) {
      return true;
    }
    Optional<EnvironmentSpec> released = await(releases.latestSpec(application, environment));
    if (released.map(e -> e.promotion() == EnvironmentSpec.Promotion.MANUAL).orElse(false)) {
      return true;
    }
    return await(
        pool.preparedQuery(EVER_APPROVED)
            .execute(Tuple.of(application, environment))
            .map(rows -> rows.iterator().next().getBoolean(0)));
  }

  private Optional<String> approvalRefusal(
      String rolloutId,
      String application,
      String environment,
      String digest,
      DeployRequested.Reason reason) {
    String approvalId =
        await(
            pool.preparedQuery(APPROVAL_OF_ROLLOUT)
                .execute(Tuple.of(rolloutId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0)));
    String where = environment + " of " + application + " is a manual environment";
    if (approvalId == null) {
      return Optional.of(
          where
              + ": a deploy needs an approval deploy-service granted, and this request (reason "
              + reason
              + ") names none");
    }
    ApprovalRepository.Stored stored = await(approvals.find(approvalId)).orElse(null);
    if (stored == null) {
      return Optional.of(
          where
              + ": the request names approval "
              + approvalId
              + ", which deploy-service does not hold");
    }
    Approval view = stored.view();
    if (!view.application().equals(application)
        || !view.environment().equals(environment)
        || !view.imageDigest().equals(digest)) {
      return Optional.of(
          "approval %s is for %s of %s into %s, not %s of %s into %s"
              .formatted(
                  approvalId,
                  view.imageDigest(),
                  view.application(),
                  view.environment(),
                  digest,
                  application,
                  environment));
    }
    if (view.status() != ApprovalStatus.APPROVED) {
      return Optional.of(
          "approval %s is %s%s, not granted"
              .formatted(
                  approvalId,
                  view.status(),
                  view.reason() == null ? "" : " (" + view.reason() + ")"));
    }
    if (view.usedBy() != null && !view.usedBy().equals(rolloutId)) {
      return Optional.of(
          "approval %s was already used by rollout %s".formatted(approvalId, view.usedBy()));
    }
    if (!view.expiresAt().isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
      return Optional.of("approval %s expired at %s".formatted(approvalId, view.expiresAt()));
    }
    Optional<String> revoked =
        ApprovalSweeper.revocation(
            view,
            await(
                pool.withTransaction(
                    tx ->
                        approvals.outcomesSince(
                            tx,
                            application,
                            ApprovalSweeper.lowerEnvironments(stored),
                            view.createdAt()))));
    if (revoked.isPresent()) {
      return Optional.of("approval " + approvalId + " no longer holds: " + revoked.get());
    }
    if (!await(approvals.use(approvalId, rolloutId))) {
      return Optional.of("approval " + approvalId + " could not be taken for this rollout");
    }
    return Optional.empty();
  }

  private <T> T await(Uni<T> query) {
    return query.await().atMost(config.rollouts().databaseTimeout());
  }
}

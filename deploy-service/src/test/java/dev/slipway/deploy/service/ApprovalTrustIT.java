package dev.slipway.deploy.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.ApprovalDecided;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.RunContext;
import dev.slipway.events.ScanDone;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.AccessPolicies;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Approvals that mean four eyes, and a deploy that checks what it is given: who may not approve
 * (all contributors of the change since the environment's release, by Git host account), approvals
 * that expire and are revoked, every decision on approval.decided, and deploy.requested records
 * written straight to Kafka that are refused before anything is applied.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class ApprovalTrustIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);
  private static final String REPO = "https://github.com/acme/shop";

  private static final Person ADA = new Person("Ada Lovelace", "ada@example.com", "ada", "1001");
  private static final Person LINUS = new Person("Linus", "linus@example.com", "linus", "2001");
  private static final Person WEB_FLOW =
      new Person("GitHub", "noreply@github.com", "web-flow", "19864447");

  @InjectSandbox Sandbox sandbox;

  @Test
  void aMergePushExcludesTheAuthorsOfTheMergedCommitsNotOnlyTheMerger() {
    String app = Deploys.application();
    PipelineSnapshot pipeline = devThenProd(null);
    String runId = UUID.randomUUID().toString();
    String sha = sha("merge");
    // GitHub's push of a pull request merged in its UI: linus merged (author of the merge commit,
    // pusher), ada wrote the pull request's commits, GitHub committed the merge.
    push(app, runId, sha, "linus", LINUS, List.of(LINUS, ADA, WEB_FLOW), pipeline);
    // The run's context as an older trigger-service wrote it: no contributors. Only the ledger of
    // pushes knows ada.
    String approval = approvalAfterDev(app, runId, sha, runContext(LINUS, "linus", pipeline));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                approve(approval, "ada")
                    .statusCode(403)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://slipway.dev/problems/self-approval"))
                    .body("detail", containsString("ada wrote, committed or pushed a commit"))
                    .body("detail", containsString("github account ada, id 1001")));
    approve(approval, "linus")
        .statusCode(403)
        .body("detail", containsString("linus wrote commit " + sha.substring(0, 7)));
    approve(approval, "grace").statusCode(200).body("status", equalTo("APPROVED"));

    List<ApprovalDecided> decided = decisions(app, approval, 1);
    assertThat(decided.get(0).decision()).isEqualTo(ApprovalDecided.Decision.APPROVED);
    assertThat(decided.get(0).actor()).isEqualTo("grace");
    ConsumerRecord<String, byte[]> record = Rollouts.records(Topics.APPROVAL_DECIDED, app).get(0);
    assertThat(KafkaTestClient.header(record, "ce_runid")).isEqualTo(runId);
    assertThat(
            Rollouts.awaitFinished(Envelope.derivedId("deploy.requested", approval), ROLLOUT)
                .getString("rollout.status"))
        .isEqualTo("SUCCEEDED");
  }

  @Test
  void everyPushSinceTheReleaseCountsNotOnlyTheApprovedOne() {
    String app = Deploys.application();
    PipelineSnapshot pipeline = devThenProd(null);
    // ada pushed first (that run never got past its scan), then linus pushed on top of it.
    String adas = sha("ada");
    push(app, UUID.randomUUID().toString(), adas, "ada", ADA, List.of(ADA), pipeline);
    String runId = UUID.randomUUID().toString();
    String sha = sha("linus");
    push(app, runId, sha, "linus", LINUS, List.of(LINUS), pipeline);
    String approval = approvalAfterDev(app, runId, sha, runContext(LINUS, "linus", pipeline));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                approve(approval, "ada")
                    .statusCode(403)
                    .body("detail", containsString("ada pushed commit " + adas.substring(0, 7))));
    approve(approval, "grace").statusCode(200);
  }

  @Test
  void anApprovalExpiresAndTakesNoMoreVotes() {
    String app = Deploys.application();
    PipelineSnapshot pipeline = devThenProd("PT2S");
    String runId = UUID.randomUUID().toString();
    String sha = sha("expiry");
    String approval = approvalAfterDev(app, runId, sha, runContext(ADA, "ada", pipeline));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> approvalView(approval).body("status", equalTo("EXPIRED")));
    approve(approval, "grace").statusCode(409).body("detail", containsString("is EXPIRED"));
    List<ApprovalDecided> decided = decisions(app, approval, 1);
    assertThat(decided.get(0).decision()).isEqualTo(ApprovalDecided.Decision.EXPIRED);
    assertThat(decided.get(0).actor()).isEqualTo("deploy-service");
  }

  @Test
  void aFailureOfTheSameDigestInALowerEnvironmentRevokesTheApproval() {
    String app = Deploys.application();
    PipelineSnapshot pipeline = devThenProd(null);
    String runId = UUID.randomUUID().toString();
    String sha = sha("revoke");
    String digest = Deploys.digest("revoke");
    String approval = approvalAfterDev(app, runId, sha, digest, runContext(ADA, "ada", pipeline));

    // The same digest is deployed to dev again and fails there (its cluster is gone).
    EnvironmentSpec brokenDev =
        Deploys.rolling("dev", "nowhere", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    RunContext broken =
        runContext(
            ADA,
            "ada",
            new PipelineSnapshot(
                List.of(brokenDev, pipeline.environments().get(1)),
                new ScanPolicy(Severity.HIGH, true)));
    String failed = Rollouts.request(Deploys.scanPassed(app, "dev", digest, broken));
    assertThat(Rollouts.awaitFinished(failed, ROLLOUT).getString("rollout.status"))
        .isEqualTo("FAILED");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                approvalView(approval)
                    .body("status", equalTo("REVOKED"))
                    .body("reason", containsString("FAILED in dev")));
    approve(approval, "grace").statusCode(409).body("detail", containsString("is REVOKED"));
    List<ApprovalDecided> decided = decisions(app, approval, 1);
    assertThat(decided.get(0).decision()).isEqualTo(ApprovalDecided.Decision.REVOKED);
    assertThat(decided.get(0).reason()).contains(failed);
  }

  @Test
  void aForgedRequestIntoAManualEnvironmentWithoutApprovalIsRefusedAndNothingApplied() {
    String app = Deploys.application();
    PipelineSnapshot pipeline = devThenProd(null);
    String digest = Deploys.digest("forged");
    Rollouts.scanPassed(app, Deploys.image(app), digest);
    Envelope<DeployRequested> forged =
        forged(app, "prod", digest, DeployRequested.Reason.PROMOTION, null, pipeline);

    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, forged);

    JsonPath rollout = Rollouts.awaitFinished(forged.id(), ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("FAILED");
    assertThat(rollout.getString("rollout.outcome"))
        .contains("prod of " + app + " is a manual environment")
        .contains("names none")
        .contains("nothing was applied");
    assertThat(Rollouts.deployDone(forged.id()).data().status().name()).isEqualTo("FAILED");
    assertThat(
            sandbox
                .remote()
                .client()
                .apps()
                .deployments()
                .inNamespace("prod-ns")
                .withName(app)
                .get())
        .isNull();

    Envelope<DeployRequested> namesAnApproval =
        forged(
            app, "prod", digest, DeployRequested.Reason.APPROVAL, "approval-i-made-up", pipeline);
    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, namesAnApproval);
    assertThat(Rollouts.awaitFinished(namesAnApproval.id(), ROLLOUT).getString("rollout.outcome"))
        .contains("approval-i-made-up, which deploy-service does not hold");
  }

  @Test
  void aForgedRequestWhosePipelineCallsProdAutomaticIsRefusedWhenTheRegistrySaysManual() {
    String app = Deploys.application();
    AccessPolicies.policy().gated(app, "shop", "prod", EnvironmentSpec.Promotion.MANUAL).publish();
    EnvironmentSpec autoProd =
        Deploys.rolling("prod", "remote", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    PipelineSnapshot lying =
        new PipelineSnapshot(List.of(autoProd), new ScanPolicy(Severity.HIGH, true));
    String digest = Deploys.digest("lying");
    Rollouts.scanPassed(app, Deploys.image(app), digest);
    Envelope<DeployRequested> forged =
        forged(app, "prod", digest, DeployRequested.Reason.SCAN_PASSED, null, lying);

    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, forged);

    assertThat(Rollouts.awaitFinished(forged.id(), ROLLOUT).getString("rollout.outcome"))
        .contains("prod of " + app + " is a manual environment");
    assertThat(
            sandbox
                .remote()
                .client()
                .apps()
                .deployments()
                .inNamespace("prod-ns")
                .withName(app)
                .get())
        .isNull();
  }

  @Test
  void aForgedRequestForADigestScanServiceNeverPassedIsRefusedAndNothingApplied() {
    String app = Deploys.application();
    PipelineSnapshot pipeline = devThenProd(null);
    Envelope<DeployRequested> unscanned =
        forged(
            app,
            "dev",
            Deploys.digest("unscanned"),
            DeployRequested.Reason.SCAN_PASSED,
            null,
            pipeline);
    String failedScan = Deploys.digest("failed-scan");
    Rollouts.scanDone(app, Deploys.image(app), failedScan, ScanDone.Verdict.FAILED);
    Envelope<DeployRequested> scannedAndFailed =
        forged(app, "dev", failedScan, DeployRequested.Reason.SCAN_PASSED, null, pipeline);

    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, unscanned);
    KafkaTestClient.send(Topics.DEPLOY_REQUESTED, scannedAndFailed);

    assertThat(Rollouts.awaitFinished(unscanned.id(), ROLLOUT).getString("rollout.outcome"))
        .contains("scan-service never passed " + unscanned.data().imageDigest())
        .contains("nothing was applied");
    assertThat(Rollouts.awaitFinished(scannedAndFailed.id(), ROLLOUT).getString("rollout.outcome"))
        .contains("scan-service's verdict on " + failedScan + " is FAILED");
    assertThat(sandbox.local().writes("dev-ns", app)).isEmpty();
  }

  private static PipelineSnapshot devThenProd(String approvalExpiry) {
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    EnvironmentSpec prod =
        new EnvironmentSpec(
            "prod",
            "remote",
            "prod-ns",
            Promotion.MANUAL,
            1,
            EnvironmentSpec.Strategy.ROLLING,
            List.of(),
            Deploys.settings(1, 30, null, null),
            approvalExpiry);
    return new PipelineSnapshot(List.of(dev, prod), new ScanPolicy(Severity.HIGH, true));
  }

  private static RunContext runContext(Person author, String actor, PipelineSnapshot pipeline) {
    return new RunContext(REPO, "refs/heads/main", author, actor, pipeline, "github", List.of());
  }

  /** trigger-service's commit.received for one push. */
  private static void push(
      String app,
      String runId,
      String sha,
      String actor,
      Person author,
      List<Person> contributors,
      PipelineSnapshot pipeline) {
    KafkaTestClient.send(
        Topics.COMMIT_RECEIVED,
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/trigger-service",
            EventType.COMMIT_RECEIVED.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            app,
            runId,
            null,
            sha,
            new CommitReceived(
                "github",
                UUID.randomUUID().toString(),
                REPO,
                "refs/heads/main",
                sha,
                author,
                "a change",
                actor,
                pipeline,
                false,
                contributors)));
  }

  private String approvalAfterDev(String app, String runId, String sha, RunContext run) {
    return approvalAfterDev(app, runId, sha, Deploys.digest(sha), run);
  }

  /** Deploys {@code digest} of the run to dev and returns the prod approval that opens. */
  private String approvalAfterDev(
      String app, String runId, String sha, String digest, RunContext run) {
    Envelope<DeployRequested> dev =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/scan-service",
            EventType.DEPLOY_REQUESTED.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            app,
            runId,
            UUID.randomUUID().toString(),
            sha,
            new DeployRequested(
                "dev",
                Deploys.image(app),
                digest,
                DeployRequested.Reason.SCAN_PASSED,
                "scan-service",
                run,
                List.of(),
                null));
    String rollout = Rollouts.request(dev);
    assertThat(Rollouts.awaitFinished(rollout, ROLLOUT).getString("rollout.status"))
        .isEqualTo("SUCCEEDED");
    String approval = Envelope.derivedId("approval", rollout, "prod");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> approvalView(approval).statusCode(200));
    return approval;
  }

  private static Envelope<DeployRequested> forged(
      String app,
      String environment,
      String digest,
      DeployRequested.Reason reason,
      String approvalId,
      PipelineSnapshot pipeline) {
    return new Envelope<>(
        UUID.randomUUID().toString(),
        "/slipway/deploy-service",
        EventType.DEPLOY_REQUESTED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        app,
        UUID.randomUUID().toString(),
        null,
        sha(digest),
        new DeployRequested(
            environment,
            Deploys.image(app),
            digest,
            reason,
            "deploy-service",
            runContext(ADA, "ada", pipeline),
            List.of(),
            null,
            approvalId,
            null));
  }

  private static List<ApprovalDecided> decisions(String app, String approval, int atLeast) {
    List<ApprovalDecided> found = new java.util.ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              found.clear();
              Rollouts.records(Topics.APPROVAL_DECIDED, app).stream()
                  .map(r -> EventJson.readPayload(r.value(), ApprovalDecided.class))
                  .filter(d -> d.approvalId().equals(approval))
                  .forEach(found::add);
              assertThat(found).hasSizeGreaterThanOrEqualTo(atLeast);
            });
    return found;
  }

  private static ValidatableResponse approve(String id, String user) {
    return given()
        .auth()
        .oauth2(TestTokens.token(user, "approver"))
        .post("/api/approvals/" + id + "/approve")
        .then();
  }

  private static ValidatableResponse approvalView(String id) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/approvals/" + id)
        .then();
  }

  private static String sha(String seed) {
    return Deploys.digest(seed).substring("sha256:".length(), "sha256:".length() + 40);
  }
}

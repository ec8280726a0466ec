package dev.slipway.deploy.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.Rollouts;
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
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.AccessPolicies;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.OidcProvider;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Approvals by people who signed in with the team's identity provider (a real OIDC provider in the
 * test JVM, the authorization-code flow through its login page): groups map to role bindings, and
 * the Git host account the user federated through identifies them as an author even under another
 * name.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
@QuarkusTestResource(OidcProvider.class)
class OidcApprovalIT {

  @Test
  void groupsFromTheIdentityProviderGrantTheRoleAndTheFederatedAccountExcludesTheAuthor() {
    String app = Deploys.application();
    AccessPolicies.policy()
        .application(app, "shop")
        .binding("shop-prod-approvers", "approver", "shop", null, "prod")
        .publish();
    EnvironmentSpec dev =
        Deploys.rolling("dev", "local", Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    EnvironmentSpec prod =
        Deploys.rolling("prod", "remote", Promotion.MANUAL, 1, Deploys.settings(1, 30, null, null));
    // Ada pushed as GitHub account 1001; she signs in to the identity provider as another name.
    Person ada = new Person("Ada Lovelace", "ada@example.com", "ada", "1001");
    RunContext run =
        new RunContext(
            "https://github.com/acme/shop",
            "refs/heads/main",
            ada,
            "ada",
            new PipelineSnapshot(List.of(dev, prod), new ScanPolicy(Severity.HIGH, true)),
            "github",
            List.of(ada));
    String runId = UUID.randomUUID().toString();
    String sha = "0123456789abcdef0123456789abcdef01234567";
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
                run.repoUrl(),
                run.ref(),
                sha,
                ada,
                "a change",
                "ada",
                run.pipeline(),
                false,
                List.of(ada))));
    Envelope<DeployRequested> request =
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
                Deploys.digest("oidc"),
                DeployRequested.Reason.SCAN_PASSED,
                "scan-service",
                run,
                List.of(),
                null));
    String devRollout = Rollouts.request(request);
    Rollouts.awaitFinished(devRollout, Duration.ofSeconds(40));
    String approval = Envelope.derivedId("approval", devRollout, "prod");

    String adaToken =
        OidcProvider.login(
            "ada-sub-7",
            """
            {"preferred_username": "a.lovelace", "groups": ["shop-prod-approvers"],
             "federated_claims": {"connector_id": "github", "user_id": "1001"}}
            """);
    String graceToken =
        OidcProvider.login(
            "grace-sub-9",
            """
            {"preferred_username": "grace", "groups": ["shop-prod-approvers"],
             "federated_claims": {"connector_id": "github", "user_id": "1002"}}
            """);
    String malloryToken =
        OidcProvider.login(
            "mallory-sub-1", "{\"preferred_username\": \"mallory\", \"groups\": []}");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(adaToken)
                    .post("/api/approvals/" + approval + "/approve")
                    .then()
                    .statusCode(403)
                    .body("type", equalTo("https://slipway.dev/problems/self-approval"))
                    .body("detail", containsString("a.lovelace wrote commit 0123456")));
    given()
        .auth()
        .oauth2(malloryToken)
        .post("/api/approvals/" + approval + "/approve")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(graceToken)
        .post("/api/approvals/" + approval + "/approve")
        .then()
        .statusCode(200)
        .body("status", equalTo("APPROVED"))
        .body("approvals[0].approver", equalTo(OidcProvider.ISSUER_NAME + "/grace-sub-9"))
        .body("approvals[0].name", equalTo("grace"));

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(
                        Rollouts.records(Topics.APPROVAL_DECIDED, app).stream()
                            .map(r -> EventJson.readPayload(r.value(), ApprovalDecided.class)))
                    .anySatisfy(
                        d -> {
                          assertThat(d.decision()).isEqualTo(ApprovalDecided.Decision.APPROVED);
                          assertThat(d.actor()).isEqualTo("corp/grace-sub-9");
                        }));
  }
}

package dev.slipway.deploy.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.deploy.support.Deploys;
import dev.slipway.deploy.support.InjectSandbox;
import dev.slipway.deploy.support.Rollouts;
import dev.slipway.deploy.support.Sandbox;
import dev.slipway.events.DeployDone;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EventType;
import dev.slipway.events.RunContext;
import dev.slipway.events.attestation.DsseEnvelope;
import dev.slipway.events.attestation.ProvenancePolicy;
import dev.slipway.events.attestation.Statement;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A deploy verifies the image it is given: deploy.requested records written straight to Kafka for
 * images in a real OCI registry, each with scan-service's PASSED verdict, so only the provenance
 * stands between them and the cluster. An image signed by the trusted build key for its digest,
 * builder, repository and commit rolls out; an unsigned one, one signed by another key, one whose
 * provenance is about another digest, one whose signed payload was altered, and one built by
 * another builder are refused, FAILED with the reason in the rollout and its deploy.done, and
 * nothing is applied. An accepted verification remembered for a digest covers no other commit.
 */
@QuarkusTest
@TestProfile(ProvenanceProfile.class)
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class ProvenanceCheckIT {

  private static final Duration ROLLOUT = Duration.ofSeconds(40);

  @InjectSandbox Sandbox sandbox;

  @Test
  void anImageSignedByTheTrustedBuildKeyForItsDigestRollsOut() {
    String app = Deploys.application();
    String digest = SignedImages.pushImage(app);
    String commit = commit();
    SignedImages.attach(app, digest, signed(app, digest, commit));

    Envelope<DeployRequested> request = request(app, digest, commit);
    Rollouts.request(request);

    assertThat(Rollouts.awaitFinished(request.id(), ROLLOUT).getString("rollout.status"))
        .isEqualTo("SUCCEEDED");
    assertThat(sandbox.local().writes("dev-ns", app)).isNotEmpty();
  }

  @Test
  void anUnsignedImageIsRefusedAndNothingApplied() {
    String app = Deploys.application();
    String digest = SignedImages.pushImage(app);

    Envelope<DeployRequested> request = request(app, digest, commit());

    assertRefused(request, "no attestation is attached to " + digest);
    assertThat(Rollouts.deployDone(request.id()).data().status())
        .isEqualTo(DeployDone.Status.FAILED);
    assertThat(Rollouts.deployDone(request.id()).data().reason())
        .contains("no trusted provenance for");
  }

  @Test
  void aProvenanceSignedByAnotherKeyIsRefused() {
    String app = Deploys.application();
    String digest = SignedImages.pushImage(app);
    String commit = commit();
    SignedImages.attach(
        app,
        digest,
        SignedImages.sign(
            SignedImages.provenance(app, digest, ProvenancePolicy.SLIPWAY_BUILDER, commit),
            SignedImages.FOREIGN));

    assertRefused(request(app, digest, commit), "which is not a trusted key");
  }

  @Test
  void aTrustedProvenanceOfAnotherDigestAttachedToThisImageIsRefused() {
    String app = Deploys.application();
    String other = SignedImages.pushImage(app);
    String digest = SignedImages.pushImage(app);
    String commit = commit();
    // Genuinely signed, but about the other image: copied onto this one.
    SignedImages.attach(app, digest, signed(app, other, commit));

    assertRefused(
        request(app, digest, commit), "validly signed, but about", "not this image " + digest);
  }

  @Test
  void aSignedProvenanceWhosePayloadWasAlteredIsRefused() {
    String app = Deploys.application();
    String digest = SignedImages.pushImage(app);
    String commit = commit();
    DsseEnvelope genuine = signed(app, digest, commit());
    // The signature stays, the payload now claims the commit the request names.
    Statement altered =
        SignedImages.provenance(app, digest, ProvenancePolicy.SLIPWAY_BUILDER, commit);
    DsseEnvelope tampered =
        new DsseEnvelope(
            genuine.payloadType(),
            Base64.getEncoder().encodeToString(altered.toJson()),
            genuine.signatures());
    SignedImages.attach(app, digest, tampered);

    assertRefused(request(app, digest, commit), "altered after signing");
  }

  @Test
  void aProvenanceByAnotherBuilderOrForAnotherCommitIsRefused() {
    String app = Deploys.application();
    String digest = SignedImages.pushImage(app);
    String commit = commit();
    SignedImages.attach(
        app,
        digest,
        SignedImages.sign(
            SignedImages.provenance(app, digest, "https://ci.attacker.example/", commit),
            SignedImages.TRUSTED));
    String built = SignedImages.pushImage(app);
    SignedImages.attach(app, built, signed(app, built, commit()));

    assertRefused(request(app, digest, commit), "builder https://ci.attacker.example/");
    assertRefused(request(app, built, commit), "names commit", "not the run's " + commit);
  }

  @Test
  void anAcceptedVerificationIsRememberedOnlyForWhatItWasDecidedOn() {
    String app = Deploys.application();
    String digest = SignedImages.pushImage(app);
    String commit = commit();
    SignedImages.attach(app, digest, signed(app, digest, commit));
    Envelope<DeployRequested> verified = request(app, digest, commit);
    Rollouts.request(verified);
    assertThat(Rollouts.awaitFinished(verified.id(), ROLLOUT).getString("rollout.status"))
        .isEqualTo("SUCCEEDED");

    // The same digest, now said to be built from another commit: asked afresh, and refused.
    String claimed = commit();
    Envelope<DeployRequested> other = request(app, digest, claimed);
    Rollouts.request(other);
    JsonPath rollout = Rollouts.awaitFinished(other.id(), ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("FAILED");
    assertThat(rollout.getString("rollout.outcome"))
        .startsWith("refused: no trusted provenance for ")
        .contains("names commit", "not the run's " + claimed);
  }

  @Test
  void aDigestTheRegistryDoesNotHoldIsRefused() {
    String app = Deploys.application();
    SignedImages.pushImage(app);
    String missing = Deploys.digest("missing");

    assertRefused(request(app, missing, commit()), "could not be read from", "has no image");
  }

  private void assertRefused(Envelope<DeployRequested> request, String... reasons) {
    Rollouts.request(request);
    JsonPath rollout = Rollouts.awaitFinished(request.id(), ROLLOUT);
    assertThat(rollout.getString("rollout.status")).isEqualTo("FAILED");
    assertThat(rollout.getString("rollout.outcome"))
        .startsWith("refused: no trusted provenance for ")
        .contains(reasons)
        .endsWith("nothing was applied");
    assertThat(sandbox.local().writes("dev-ns", request.subject())).isEmpty();
  }

  private static DsseEnvelope signed(String app, String digest, String commit) {
    return SignedImages.sign(
        SignedImages.provenance(app, digest, ProvenancePolicy.SLIPWAY_BUILDER, commit),
        SignedImages.TRUSTED);
  }

  private static String commit() {
    return Deploys.digest("commit").substring("sha256:".length(), "sha256:".length() + 40);
  }

  /** scan-service's deploy.requested into dev for {@code app}'s image in the test registry. */
  private static Envelope<DeployRequested> request(String app, String digest, String commit) {
    EnvironmentSpec dev =
        Deploys.rolling(
            "dev", "local", EnvironmentSpec.Promotion.AUTO, 0, Deploys.settings(1, 30, null, null));
    RunContext run = Deploys.run(dev);
    return new Envelope<>(
        UUID.randomUUID().toString(),
        "/slipway/scan-service",
        EventType.DEPLOY_REQUESTED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        app,
        UUID.randomUUID().toString(),
        UUID.randomUUID().toString(),
        commit,
        new DeployRequested(
            "dev",
            OciRegistry.address() + "/" + app,
            digest,
            DeployRequested.Reason.SCAN_PASSED,
            "scan-service",
            run,
            List.of(),
            null));
  }
}

package dev.slipway.deploy.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A verdict answers for the registry's policy only when its own was at least as strict. */
class PolicyStrengthTest {

  private static final ScanPolicy REGISTRY =
      new ScanPolicy(Severity.HIGH, false, List.of("AGPL-3.0-only"));

  @Test
  void theSameOrAStricterPolicyAnswers() {
    assertThat(PolicyStrength.weakerThan(REGISTRY, REGISTRY)).isEmpty();
    assertThat(
            PolicyStrength.weakerThan(
                new ScanPolicy(Severity.MEDIUM, false, List.of("AGPL-3.0-only", "SSPL-1.0")),
                REGISTRY))
        .isEmpty();
  }

  @Test
  void aWeakerPolicySaysWhereItIsWeaker() {
    assertThat(
            PolicyStrength.weakerThan(new ScanPolicy(Severity.CRITICAL, true, List.of()), REGISTRY))
        .contains(
            "fails only on CRITICAL, not from HIGH, ignores unfixed findings,"
                + " does not deny [AGPL-3.0-only]");
  }
}

package dev.slipway.console.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.console.client.ApiModel.Release;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an environment card says serves, and how healthy it is, from its release history. */
class OverviewTest {

  private static Release release(long revision, String status) {
    OffsetDateTime t = OffsetDateTime.parse("2026-12-01T10:00:00Z").plusMinutes(revision);
    return new Release(
        revision,
        "ro" + revision,
        "img",
        "sha256:" + revision,
        "run" + revision,
        "c" + revision,
        "Ada",
        "SCAN_PASSED",
        "scan-service",
        List.of(),
        "ROLLING",
        status,
        "",
        t,
        t);
  }

  @Test
  void theNewestSuccessServesAndIsHealthy() {
    var card =
        Overview.EnvironmentCard.of(
            "dev", "auto", List.of(release(2, "SUCCEEDED"), release(1, "SUCCEEDED")));
    assertThat(card.current().revision()).isEqualTo(2);
    assertThat(card.latest()).isNull();
    assertThat(card.health()).isEqualTo("HEALTHY");
  }

  @Test
  void aRolledBackRevisionLeavesTheOneBeforeServingAndTheEnvironmentDegraded() {
    var card =
        Overview.EnvironmentCard.of(
            "dev", "auto", List.of(release(3, "ROLLED_BACK"), release(2, "SUCCEEDED")));
    assertThat(card.current().revision()).isEqualTo(2);
    assertThat(card.latest().revision()).isEqualTo(3);
    assertThat(card.health()).isEqualTo("DEGRADED");
    assertThat(card.healthDetail()).isEqualTo("revision 3 rolled back; revision 2 serves");
  }

  @Test
  void aRolloutUnderWayIsProgressingAndNothingDeployedIsEmpty() {
    assertThat(
            Overview.EnvironmentCard.of(
                    "prod", "manual", List.of(release(2, "RUNNING"), release(1, "SUCCEEDED")))
                .health())
        .isEqualTo("PROGRESSING");
    assertThat(Overview.EnvironmentCard.of("prod", "manual", List.of()).health())
        .isEqualTo("EMPTY");
    assertThat(
            Overview.EnvironmentCard.of("prod", "manual", List.of(release(1, "FAILED"))).health())
        .isEqualTo("FAILED");
  }
}

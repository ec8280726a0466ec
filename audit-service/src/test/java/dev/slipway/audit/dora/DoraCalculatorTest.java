package dev.slipway.audit.dora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.audit.dora.DoraCalculator.Outcome;
import dev.slipway.audit.dora.DoraCalculator.Push;
import dev.slipway.audit.dora.DoraCalculator.Rollout;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each edge of the DORA definitions as a small case computed by hand. Window: March 1 to March 11,
 * 2026 (10 days), one application, ref main unless named. "D c1 SUCCEEDED 03-01 10:00" is a rollout
 * of commit c1; "P c1 03-01 08:00" its push (first commit.received).
 */
class DoraCalculatorTest {

  private static final OffsetDateTime FROM = at("03-01 00:00");
  private static final OffsetDateTime TO = at("03-11 00:00");
  private static final Offset<Double> EXACT = Offset.offset(1e-6);

  /**
   * The expected figures of a case.
   *
   * @param deployments successful change deployments (deployment frequency)
   * @param changeDeployments deployments that served traffic (change failure rate's denominator)
   * @param failed of those, the ones that needed remediation
   * @param leadTimes how many pushed commits got a lead time
   * @param leadMedian their median in seconds
   * @param leadP90 their 90th percentile in seconds
   * @param restored failures restored
   * @param restoreMedian median time to restore in seconds
   * @param open failures not restored
   */
  record Expected(
      long deployments,
      long changeDeployments,
      long failed,
      long leadTimes,
      Double leadMedian,
      Double leadP90,
      long restored,
      Double restoreMedian,
      long open) {}

  record Case(
      String name,
      List<Push> pushes,
      List<Rollout> rollouts,
      Set<String> deployedBefore,
      Expected expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        // P c1 03-01 08:00, D c1 SUCCEEDED 03-01 10:00: lead 2 h.
        // P c2 03-02 09:00, D c2 ROLLED_BACK 03-02 12:00 after 30 min: a failed deployment,
        //   restored by the automatic rollback: 1800 s; it delivers nothing.
        // P c3 03-03 09:00, D c3 SUCCEEDED 03-03 11:00: delivers c2 (26 h = 93600 s) and c3 (2 h).
        new Case(
            "automatic rollback",
            List.of(
                push("c1", "03-01 08:00"), push("c2", "03-02 09:00"), push("c3", "03-03 09:00")),
            List.of(
                rollout("c1", Outcome.SUCCEEDED, "SCAN_PASSED", "03-01 10:00", null),
                rollout("c2", Outcome.ROLLED_BACK, "PROMOTION", "03-02 12:00", 1_800_000L),
                rollout("c3", Outcome.SUCCEEDED, "PROMOTION", "03-03 11:00", null)),
            Set.of(),
            // lead [7200, 7200, 93600]: median 7200, p90 7200 + 0.8 * 86400 = 76320
            new Expected(2, 3, 1, 3, 7200.0, 76320.0, 1, 1800.0, 0)),
        // D c2 SUCCEEDED 03-02 10:00, then a rollback is requested and succeeds 03-02 13:00: c2
        // needed remediation (3 h to restore); the rollback itself is not a deployment.
        new Case(
            "manual rollback",
            List.of(push("c1", "03-01 08:00"), push("c2", "03-02 08:00")),
            List.of(
                rollout("c1", Outcome.SUCCEEDED, "APPROVAL", "03-01 10:00", null),
                rollout("c2", Outcome.SUCCEEDED, "APPROVAL", "03-02 10:00", null),
                rollout("c1", Outcome.SUCCEEDED, "ROLLBACK", "03-02 13:00", 60_000L)),
            Set.of(),
            new Expected(2, 2, 1, 2, 7200.0, 7200.0, 1, 10800.0, 0)),
        // A rollback of c1 is requested 03-01 11:00 and fails: c1 failed at 10:00 and stays
        // failed until the fix forward c2 succeeds 03-01 14:00 (4 h).
        new Case(
            "failed rollback, then a fix forward",
            List.of(push("c1", "03-01 08:00"), push("c2", "03-01 12:00")),
            List.of(
                rollout("c1", Outcome.SUCCEEDED, "SCAN_PASSED", "03-01 10:00", null),
                rollout("c0", Outcome.FAILED, "ROLLBACK", "03-01 11:00", null),
                rollout("c2", Outcome.SUCCEEDED, "SCAN_PASSED", "03-01 14:00", null)),
            Set.of(),
            new Expected(2, 2, 1, 2, 7200.0, 7200.0, 1, 14400.0, 0)),
        // D c1 FAILED 03-01 09:00 never served traffic: neither a deployment nor a failure.
        new Case(
            "a rollout that never served traffic",
            List.of(push("c1", "03-01 08:00")),
            List.of(
                rollout("c1", Outcome.FAILED, "SCAN_PASSED", "03-01 09:00", null),
                rollout("c1", Outcome.SUCCEEDED, "MANUAL", "03-01 10:00", null)),
            Set.of(),
            new Expected(1, 1, 0, 1, 7200.0, 7200.0, 0, null, 0)),
        // c1 was deployed on 02-20, before the window; its manual redeploy on 03-05 counts as a
        // deployment but delivers nothing.
        new Case(
            "redeploy of an old commit",
            List.of(push("c1", "02-20 08:00"), push("c2", "03-02 08:00")),
            List.of(
                rollout("c2", Outcome.SUCCEEDED, "SCAN_PASSED", "03-02 10:00", null),
                rollout("c1", Outcome.SUCCEEDED, "MANUAL", "03-05 10:00", null)),
            Set.of(key("c1")),
            new Expected(2, 2, 0, 1, 7200.0, 7200.0, 0, null, 0)),
        // c1 deployed 02-28 23:59:59 is before the window; c2 deployed exactly at its start is in
        // it (1 h from its push; c1 was delivered before); c3 deployed exactly at its end is not,
        // and the rollback after the window remediates c3, not c2.
        new Case(
            "window boundaries",
            List.of(
                push("c1", "02-28 22:00"), push("c2", "02-28 23:00"), push("c3", "03-10 20:00")),
            List.of(
                rollout("c2", Outcome.SUCCEEDED, "SCAN_PASSED", "03-01 00:00", null),
                rollout("c3", Outcome.SUCCEEDED, "SCAN_PASSED", "03-11 00:00", null),
                rollout("c2", Outcome.SUCCEEDED, "ROLLBACK", "03-11 01:00", null)),
            Set.of(key("c1")),
            new Expected(1, 1, 0, 1, 3600.0, 3600.0, 0, null, 0)),
        // c1 on main was never deployed by itself, c2 went to a feature branch; the deployment of
        // c3 delivers c1 (4 h) and c3 (2 h), not c2.
        new Case(
            "earlier pushes delivered by a later deployment",
            List.of(
                push("c1", "03-01 08:00"),
                new Push("shop", "refs/heads/feature", "c2", at("03-01 09:00")),
                push("c3", "03-01 10:00")),
            List.of(rollout("c3", Outcome.SUCCEEDED, "SCAN_PASSED", "03-01 12:00", null)),
            Set.of(),
            // lead [7200, 14400]: median 10800, p90 7200 + 0.9 * 7200 = 13680
            new Expected(1, 1, 0, 2, 10800.0, 13680.0, 0, null, 0)),
        new Case(
            "no deploys",
            List.of(),
            List.of(),
            Set.of(),
            new Expected(0, 0, 0, 0, null, null, 0, null, 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void figuresEqualTheHandComputedOnes(Case c) {
    DoraMetrics m =
        DoraCalculator.compute(
            "shop", "prod", FROM, TO, c.rollouts(), c.pushes(), new HashSet<>(c.deployedBefore()));
    Expected e = c.expected();

    assertThat(m.deploymentFrequency().deployments()).isEqualTo(e.deployments());
    assertThat(m.deploymentFrequency().perDay()).isCloseTo(e.deployments() / 10.0, EXACT);
    assertThat(m.changeFailureRate().deployments()).isEqualTo(e.changeDeployments());
    assertThat(m.changeFailureRate().failed()).isEqualTo(e.failed());
    if (e.changeDeployments() == 0) {
      assertThat(m.changeFailureRate().rate()).isNull();
    } else {
      assertThat(m.changeFailureRate().rate())
          .isCloseTo((double) e.failed() / e.changeDeployments(), EXACT);
    }
    assertThat(m.leadTimeForChanges().changes()).isEqualTo(e.leadTimes());
    assertClose(m.leadTimeForChanges().medianSeconds(), e.leadMedian());
    assertClose(m.leadTimeForChanges().p90Seconds(), e.leadP90());
    assertThat(m.timeToRestore().restored()).isEqualTo(e.restored());
    assertThat(m.timeToRestore().open()).isEqualTo(e.open());
    assertClose(m.timeToRestore().medianSeconds(), e.restoreMedian());
  }

  private static void assertClose(Double actual, Double expected) {
    if (expected == null) {
      assertThat(actual).isNull();
    } else {
      assertThat(actual).isCloseTo(expected, EXACT);
    }
  }

  private static Push push(String commit, String time) {
    return new Push("shop", "refs/heads/main", commit, at(time));
  }

  private static Rollout rollout(
      String commit, Outcome outcome, String reason, String time, Long durationMs) {
    return new Rollout("shop", outcome, reason, at(time), durationMs, commit);
  }

  private static String key(String commit) {
    return DoraCalculator.commitKey("shop", commit);
  }

  private static OffsetDateTime at(String monthDayTime) {
    return OffsetDateTime.parse("2026-" + monthDayTime.replace(' ', 'T') + ":00Z");
  }
}

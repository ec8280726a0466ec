package dev.slipway.build.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BuildPhasesTest {

  @Test
  void phasesKeepTheirFirstOrderAndAddUpWhenRepeated() {
    BuildPhases phases = new BuildPhases();
    phases.took("queued", 4);
    phases.took("steps.record", 1);
    phases.took("workspace", 12);
    phases.took("steps.record", 2);

    assertThat(phases.millis())
        .containsExactly(
            java.util.Map.entry("queued", 4L),
            java.util.Map.entry("steps.record", 3L),
            java.util.Map.entry("workspace", 12L));
    assertThat(phases).hasToString("queued 4 ms, steps.record 3 ms, workspace 12 ms");
  }

  @Test
  void aTimedPhaseIsRecordedAlsoWhenItsWorkThrows() {
    BuildPhases phases = new BuildPhases();

    assertThat(phases.time("record", () -> "done")).isEqualTo("done");
    assertThatThrownBy(
            () ->
                phases.time(
                    "clone",
                    () -> {
                      throw new IllegalStateException("refused");
                    }))
        .hasMessage("refused");

    assertThat(phases.millis()).containsOnlyKeys("record", "clone");
  }

  @Test
  void eachPhaseGoesIntoTheTimerTaggedWithItsName() {
    BuildPhases phases = new BuildPhases();
    phases.took("workspace", 12);
    phases.took("record", 3);
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    phases.recordInto(metrics);

    var workspace = metrics.get(BuildPhases.TIMER).tag("phase", "workspace").timer();
    assertThat(workspace.count()).isEqualTo(1);
    assertThat(workspace.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12.0);
    assertThat(metrics.get(BuildPhases.TIMER).tag("phase", "record").timer().count()).isEqualTo(1);
  }
}

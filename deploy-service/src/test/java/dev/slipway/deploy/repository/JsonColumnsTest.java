package dev.slipway.deploy.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RunContext;
import dev.slipway.events.SampleEvents;
import org.junit.jupiter.api.Test;

class JsonColumnsTest {

  @Test
  void runContextRoundTripsExactly() {
    RunContext run = SampleEvents.runContext();

    assertThat(JsonColumns.read(JsonColumns.write(run), RunContext.class)).isEqualTo(run);
  }

  @Test
  void environmentSpecRoundTripsExactly() {
    EnvironmentSpec prod = SampleEvents.pipeline().environments().get(1);

    assertThat(JsonColumns.read(JsonColumns.write(prod), EnvironmentSpec.class)).isEqualTo(prod);
  }
}

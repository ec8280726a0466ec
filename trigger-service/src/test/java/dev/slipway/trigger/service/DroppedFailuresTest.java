package dev.slipway.trigger.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.trigger.problem.InvalidSignatureException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/** A refusal nobody waits for is not an error; a real failure nobody waits for still is. */
class DroppedFailuresTest {

  private final RecordingLogger log = new RecordingLogger();
  private final DroppedFailures dropped = new DroppedFailures(log);

  @Test
  void aForgedWebhookWhoseSenderHungUpIsADebugLine() {
    dropped.handle(new InvalidSignatureException("The signature does not match."));

    assertThat(log.records)
        .containsExactly(
            "DEBUG a 401 answer nobody waited for any more: The signature does not match.");
  }

  @Test
  void anUnexpectedFailureNobodyWaitedForIsStillAnError() {
    dropped.handle(new IllegalStateException("the relay broke"));

    assertThat(log.records).containsExactly("ERROR a failure after its caller went away");
  }

  private static final class RecordingLogger extends Logger {
    final List<String> records = new ArrayList<>();

    RecordingLogger() {
      super("recording");
    }

    @Override
    public boolean isEnabled(Level level) {
      return true;
    }

    @Override
    protected void doLog(
        Level level, String fqcn, Object message, Object[] parameters, Throwable thrown) {
      records.add(level + " " + message);
    }

    @Override
    protected void doLogf(
        Level level, String fqcn, String format, Object[] parameters, Throwable thrown) {
      records.add(level + " " + String.format(format, parameters));
    }
  }
}

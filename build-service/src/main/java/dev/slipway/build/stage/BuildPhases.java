package dev.slipway.build.stage;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where one claim of a build spent its wall time, phase by phase, from the commit.received to the
 * recorded outcome: the wait until a worker claimed it, the workspace, every stage (timed or not in
 * {@code stageDurationsMs}) and the parts of a stage an operator asks about (the OS packages read
 * into the SBOM, the provenance signed and pushed), the clean-up and the fenced outcome
 * transaction. Each phase is a Micrometer timer {@code slipway.build.phase} tagged with its name
 * (names are fixed by the code, never a step's name), and the whole list ends the build's log line
 * in build-service's own log.
 */
public final class BuildPhases {

  /** The timer every phase is recorded under, tagged {@code phase}. */
  public static final String TIMER = "slipway.build.phase";

  private final Map<String, Long> millis = Collections.synchronizedMap(new LinkedHashMap<>());

  /** Records {@code ms} under {@code phase}, added to what the phase took before. */
  public void took(String phase, long ms) {
    millis.merge(phase, ms, Long::sum);
  }

  /** Runs {@code work} and records its wall time under {@code phase}, also when it throws. */
  public <T> T time(String phase, Supplier<T> work) {
    long started = System.nanoTime();
    try {
      return work.get();
    } finally {
      took(phase, (System.nanoTime() - started) / 1_000_000);
    }
  }

  /** The phases so far, in the order they first ran. */
  public Map<String, Long> millis() {
    synchronized (millis) {
      return new LinkedHashMap<>(millis);
    }
  }

  /** Each phase into its timer. */
  public void recordInto(MeterRegistry metrics) {
    millis()
        .forEach((phase, ms) -> metrics.timer(TIMER, "phase", phase).record(Duration.ofMillis(ms)));
  }

  /** {@code queued 4 ms, workspace 41 ms, clone 22 ms, ...}. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    millis()
        .forEach(
            (phase, ms) -> {
              if (!text.isEmpty()) {
                text.append(", ");
              }
              text.append(phase).append(' ').append(ms).append(" ms");
            });
    return text.toString();
  }
}

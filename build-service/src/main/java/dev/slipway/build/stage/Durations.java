package dev.slipway.build.stage;

import java.time.Duration;
import java.util.Locale;

/** Durations as a build log shows them: {@code 850 ms}, {@code 1.5 s}, {@code 3 min 20 s}. */
public final class Durations {

  private Durations() {}

  public static String human(long ms) {
    return human(Duration.ofMillis(ms));
  }

  public static String human(Duration duration) {
    long ms = duration.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 120_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    return duration.toMinutes() + " min " + duration.toSecondsPart() + " s";
  }
}

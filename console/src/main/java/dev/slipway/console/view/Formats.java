package dev.slipway.console.view;

import io.quarkus.qute.TemplateExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How pages write times, durations, digests and statuses. */
@TemplateExtension(namespace = "fmt")
public final class Formats {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private Formats() {}

  /** An instant as UTC text. */
  public static String utc(OffsetDateTime time) {
    return time == null ? "" : TIME.format(time);
  }

  /** The same instant as ISO 8601, for {@code <time datetime>}. */
  public static String iso(OffsetDateTime time) {
    return time == null ? "" : time.withOffsetSameInstant(ZoneOffset.UTC).toString();
  }

  /** How long ago, in the largest whole unit: "42 s", "5 min", "3 h", "2 d". */
  public static String age(OffsetDateTime time) {
    return time == null ? "" : ago(Duration.between(time.toInstant(), Instant.now()));
  }

  static String ago(Duration elapsed) {
    long seconds = Math.max(0, elapsed.getSeconds());
    if (seconds < 90) {
      return seconds + " s ago";
    }
    if (seconds < 90 * 60) {
      return (seconds / 60) + " min ago";
    }
    if (seconds < 36 * 3600) {
      return (seconds / 3600) + " h ago";
    }
    return (seconds / 86400) + " d ago";
  }

  /** Milliseconds as a short duration: "840 ms", "2.5 s", "3 min 20 s". */
  public static String ms(Long millis) {
    if (millis == null) {
      return "";
    }
    if (millis < 1000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
    return (seconds / 60) + " min " + (seconds % 60) + " s";
  }

  /** Seconds (a DORA figure) as a short duration, "n/a" when absent. */
  public static String seconds(Double seconds) {
    if (seconds == null) {
      return "n/a";
    }
    return ms(Math.round(seconds * 1000));
  }

  /** The time between two instants, as {@link #ms}. */
  public static String between(OffsetDateTime from, OffsetDateTime to) {
    if (from == null || to == null) {
      return "";
    }
    return ms(Duration.between(from, to).toMillis());
  }

  /** A digest or id cut to what a person compares: "sha256:4bf89b57f1fa", "e92a38e2". */
  public static String brief(String id) {
    if (id == null) {
      return "";
    }
    if (id.startsWith("sha256:")) {
      return id.length() > 19 ? id.substring(0, 19) : id;
    }
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  /** A status's CSS class: ok, bad, warn, run or idle. */
  public static String tone(String status) {
    if (status == null) {
      return "idle";
    }
    return switch (status.toUpperCase(Locale.ROOT)) {
      case "SUCCEEDED", "PASSED", "APPROVED", "OK", "HEALTHY" -> "ok";
      case "FAILED", "REJECTED", "TIMED_OUT", "CRITICAL", "HIGH" -> "bad";
      case "ROLLED_BACK", "CANCELLED", "WAITING", "PENDING", "MEDIUM", "SUPERSEDED", "DEGRADED" ->
          "warn";
      case "RUNNING", "QUEUED", "SCANNING", "PROGRESSING" -> "run";
      default -> "idle";
    };
  }

  /** A status for reading: "ROLLED_BACK" becomes "rolled back". */
  public static String words(String status) {
    return status == null ? "" : status.toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /** A percentage of a rate in [0, 1]: "33%"; "n/a" when absent. */
  public static String percent(Double rate) {
    return rate == null ? "n/a" : Math.round(rate * 100) + "%";
  }

  /** Seconds from {@code start} to {@code time}, with one decimal: "2.5". */
  public static String offset(OffsetDateTime start, OffsetDateTime time) {
    if (start == null || time == null) {
      return "";
    }
    return String.format(Locale.ROOT, "%.1f", Duration.between(start, time).toMillis() / 1000.0);
  }

  /** A text as a URL query value. */
  public static String url(String text) {
    return text == null
        ? ""
        : java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A number with two decimals. */
  public static String two(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }
}

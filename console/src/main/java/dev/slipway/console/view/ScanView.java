package dev.slipway.console.view;

import dev.slipway.console.client.ApiModel.Finding;
import dev.slipway.console.client.ApiModel.Ignore;
import dev.slipway.console.client.ApiModel.Scan;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A scan's findings grouped by severity, most severe first, and its ignores with their expiry. */
public final class ScanView {

  static final List<String> ORDER = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN");

  private ScanView() {}

  /**
   * The findings of one severity.
   *
   * @param severity CRITICAL … UNKNOWN
   * @param findings its findings, blocking ones first
   */
  public record SeverityGroup(String severity, List<Finding> findings) {
    /** The severity for a heading: "Critical". */
    public String heading() {
      return severity.charAt(0) + severity.substring(1).toLowerCase(Locale.ROOT);
    }
  }

  /**
   * An ignore and whether it still holds.
   *
   * @param ignore the repository's ignore
   * @param active whether it holds today (through its expiry day)
   * @param daysLeft days until it expires (negative: expired that many days ago)
   */
  public record IgnoreRow(Ignore ignore, boolean active, long daysLeft) {}

  /** The groups of {@code scan}'s findings; severities without findings are left out. */
  public static List<SeverityGroup> groups(Scan scan) {
    List<SeverityGroup> groups = new ArrayList<>();
    for (String severity : ORDER) {
      List<Finding> findings =
          scan.findings().stream()
              .filter(
                  f ->
                      severity.equals(
                          f.severity() == null ? "UNKNOWN" : f.severity().toUpperCase(Locale.ROOT)))
              .sorted((a, b) -> Boolean.compare(b.blocking(), a.blocking()))
              .toList();
      if (!findings.isEmpty()) {
        groups.add(new SeverityGroup(severity, findings));
      }
    }
    List<Finding> other =
        scan.findings().stream()
            .filter(
                f -> f.severity() != null && !ORDER.contains(f.severity().toUpperCase(Locale.ROOT)))
            .toList();
    if (!other.isEmpty()) {
      groups.add(new SeverityGroup("UNKNOWN", other));
    }
    return groups;
  }

  /** The scan's ignores as of {@code today}. */
  public static List<IgnoreRow> ignores(Scan scan, LocalDate today) {
    return scan.ignores().stream()
        .map(
            ignore ->
                new IgnoreRow(
                    ignore,
                    ignore.expires() != null && !today.isAfter(ignore.expires()),
                    ignore.expires() == null
                        ? 0
                        : java.time.temporal.ChronoUnit.DAYS.between(today, ignore.expires())))
        .toList();
  }

  /** Today in UTC, the day ignores are judged on. */
  public static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }
}

package dev.slipway.scan.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One {@code affected} entry of an OSV advisory: a package and the versions it affects, evaluated
 * as the OSV schema describes. A range's events are sorted in the version order of its type ({@code
 * introduced: "0"} first); walking them, an {@code introduced} at or below the version makes it
 * affected, a {@code fixed} at or below it or a {@code last_affected} below it makes it not, and
 * {@code limit} events cap the range ({@code "*"} is no cap). {@code GIT} ranges name commits and
 * never match a version.
 *
 * @param ecosystem the OSV ecosystem as written, e.g. {@code Debian:12}
 * @param name the package name, normalised as its ecosystem does
 * @param ranges the ranges
 * @param versions versions listed one by one
 */
public record AffectedPackage(
    String ecosystem, String name, List<Range> ranges, List<String> versions) {

  public AffectedPackage {
    ranges = List.copyOf(ranges);
    versions = List.copyOf(versions);
  }

  /** The kinds of range OSV defines. */
  public enum RangeType {
    ECOSYSTEM,
    SEMVER,
    GIT
  }

  /** The kinds of event, in the order events of one version sort. */
  public enum EventKind {
    INTRODUCED("introduced"),
    LAST_AFFECTED("last_affected"),
    FIXED("fixed"),
    LIMIT("limit");

    private final String field;

    EventKind(String field) {
      this.field = field;
    }

    /** The OSV field name. */
    public String field() {
      return field;
    }

    /** The kind spelled {@code field}, if any. */
    public static Optional<EventKind> ofField(String field) {
      for (EventKind kind : values()) {
        if (kind.field.equals(field)) {
          return Optional.of(kind);
        }
      }
      return Optional.empty();
    }
  }

  /** One range: its type and events. */
  public record Range(RangeType type, List<Event> events) {
    public Range {
      events = List.copyOf(events);
    }
  }

  /** One event of a range. */
  public record Event(EventKind kind, String version) {}

  /**
   * Whether {@code version} of this package is affected.
   *
   * @return empty when not affected; else the match, with the first fixed version above {@code
   *     version} when the matching range names one
   */
  public Optional<Match> match(String version) {
    Optional<Ecosystem> known = Ecosystem.ofOsv(ecosystem);
    Optional<VersionOrder> ecosystemOrder = known.flatMap(Ecosystem::order);
    for (Range range : ranges) {
      Optional<VersionOrder> order =
          switch (range.type()) {
            case SEMVER ->
                Optional.of(
                    known.orElse(null) == Ecosystem.GO ? SemverOrder.GO : SemverOrder.SEMVER);
            case ECOSYSTEM -> ecosystemOrder;
            case GIT -> Optional.empty();
          };
      if (order.isPresent()) {
        Optional<Match> match = evaluate(range, order.get(), version);
        if (match.isPresent()) {
          return match;
        }
      }
    }
    for (String listed : versions) {
      if (listed.equals(version) || sameVersion(ecosystemOrder, listed, version)) {
        return Optional.of(new Match(null));
      }
    }
    return Optional.empty();
  }

  private static Optional<Match> evaluate(Range range, VersionOrder order, String text) {
    ParsedVersion version;
    try {
      version = order.parse(text);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    List<Placed> events = new ArrayList<>();
    for (Event event : range.events()) {
      if (event.kind() == EventKind.INTRODUCED && "0".equals(event.version())) {
        events.add(new Placed(event, null));
      } else if (!(event.kind() == EventKind.LIMIT && "*".equals(event.version()))) {
        try {
          events.add(new Placed(event, order.parse(event.version())));
        } catch (IllegalArgumentException e) {
          // An event this order cannot read is left out rather than failing the whole range.
        }
      }
    }
    events.sort(Placed.ORDER);
    boolean limited = false;
    boolean belowSomeLimit = false;
    for (Placed event : events) {
      if (event.event().kind() == EventKind.LIMIT) {
        limited = true;
        belowSomeLimit |= version.compareTo(event.at()) < 0;
      }
    }
    boolean affected = affectedAt(events, version);
    if (!affected || (limited && !belowSomeLimit)) {
      return Optional.empty();
    }
    String fixed =
        events.stream()
            .filter(e -> e.event().kind() == EventKind.FIXED && version.compareTo(e.at()) < 0)
            .map(e -> e.event().version())
            .findFirst()
            .orElse(null);
    return Optional.of(new Match(fixed));
  }

  private static boolean affectedAt(List<Placed> events, ParsedVersion version) {
    boolean affected = false;
    for (Placed event : events) {
      boolean reached = event.at() == null || version.compareTo(event.at()) >= 0;
      switch (event.event().kind()) {
        case INTRODUCED -> {
          if (reached) {
            affected = true;
          }
        }
        case FIXED -> {
          if (reached) {
            affected = false;
          }
        }
        case LAST_AFFECTED -> {
          if (event.at() != null && version.compareTo(event.at()) > 0) {
            affected = false;
          }
        }
        case LIMIT -> {
          // Limits cap the range as a whole; see evaluate.
        }
      }
    }
    return affected;
  }

  private static boolean sameVersion(Optional<VersionOrder> order, String a, String b) {
    if (order.isEmpty()) {
      return false;
    }
    try {
      return order.get().parse(a).compareTo(order.get().parse(b)) == 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A match of a version.
   *
   * @param fixedVersion the first fixed version above it; null when the range names none
   */
  public record Match(String fixedVersion) {}

  private record Placed(Event event, ParsedVersion at) {
    static final Comparator<Placed> ORDER =
        (a, b) -> {
          if (a.at() == null || b.at() == null) {
            return a.at() == null ? (b.at() == null ? 0 : -1) : 1;
          }
          int c = a.at().compareTo(b.at());
          return c != 0 ? c : a.event().kind().compareTo(b.event().kind());
        };
  }
}

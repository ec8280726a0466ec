package dev.slipway.scan.osv;

import dev.slipway.scan.version.ParsedVersion;
import dev.slipway.scan.version.VersionOrder;
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
   * <p>An event whose version the range's order cannot read is not left out silently: an {@code
   * introduced} it cannot read counts as {@code 0} and a {@code fixed}, {@code last_affected} or
   * {@code limit} it cannot read ends nothing, so a malformed advisory errs towards reporting.
   *
   * @return empty when not affected; else the match, with the first fixed version above {@code
   *     version} when the matching range names one
   * @throws VersionOrder.InvalidVersionException when {@code version} is no version of this
   *     package's ecosystem
   */
  public Optional<Match> match(String version) {
    Optional<Ecosystem> known = Ecosystem.ofOsv(ecosystem);
    if (known.isEmpty()) {
      return Optional.empty();
    }
    VersionOrder ecosystemOrder = known.get().order();
    ParsedVersion installed = ecosystemOrder.parse(version);
    for (Range range : ranges) {
      Optional<Match> match =
          switch (range.type()) {
            case ECOSYSTEM -> evaluate(range, ecosystemOrder, installed);
            case SEMVER -> semver(range, known.get().semverOrder(), version);
            case GIT -> Optional.empty();
          };
      if (match.isPresent()) {
        return match;
      }
    }
    for (String listed : versions) {
      if (listed.equals(version) || sameVersion(ecosystemOrder, listed, installed)) {
        return Optional.of(new Match(null));
      }
    }
    return Optional.empty();
  }

  private static Optional<Match> semver(Range range, VersionOrder order, String version) {
    ParsedVersion installed;
    try {
      installed = order.parse(version);
    } catch (IllegalArgumentException e) {
      // Not a semantic version (a Debian revision, a four-part NuGet version): this SEMVER range
      // cannot speak about it, the ECOSYSTEM order already did.
      return Optional.empty();
    }
    return evaluate(range, order, installed);
  }

  private static Optional<Match> evaluate(Range range, VersionOrder order, ParsedVersion version) {
    List<Placed> events = new ArrayList<>();
    for (Event event : range.events()) {
      boolean unbounded =
          (event.kind() == EventKind.INTRODUCED && "0".equals(event.version()))
              || (event.kind() == EventKind.LIMIT && "*".equals(event.version()));
      if (unbounded) {
        events.add(new Placed(event, null));
        continue;
      }
      try {
        events.add(new Placed(event, order.parse(event.version())));
      } catch (IllegalArgumentException e) {
        if (event.kind() == EventKind.INTRODUCED) {
          events.add(new Placed(new Event(EventKind.INTRODUCED, "0"), null));
        }
      }
    }
    events.sort(Placed.ORDER);
    boolean limited = false;
    boolean belowSomeLimit = false;
    for (Placed event : events) {
      if (event.event().kind() == EventKind.LIMIT) {
        limited = true;
        belowSomeLimit |= event.at() == null || version.compareTo(event.at()) < 0;
      }
    }
    boolean affected = affectedAt(events, version);
    if (!affected || (limited && !belowSomeLimit)) {
      return Optional.empty();
    }
    String fixed =
        events.stream()
            .filter(
                e ->
                    e.event().kind() == EventKind.FIXED
                        && e.at() != null
                        && version.compareTo(e.at()) < 0)
            .map(e -> e.event().version())
            .findFirst()
            .orElse(null);
    return Optional.of(new Match(fixed));
  }

  private static boolean affectedAt(List<Placed> events, ParsedVersion version) {
    boolean affected = false;
    for (Placed event : events) {
      if (event.event().kind() == EventKind.LIMIT) {
        continue;
      }
      boolean reached = event.at() == null || version.compareTo(event.at()) >= 0;
      switch (event.event().kind()) {
        case INTRODUCED -> affected |= reached;
        case FIXED -> affected &= !reached;
        case LAST_AFFECTED ->
            affected &= !(event.at() != null && version.compareTo(event.at()) > 0);
        case LIMIT -> {
          // Limits cap the range as a whole; see evaluate.
        }
      }
    }
    return affected;
  }

  private static boolean sameVersion(VersionOrder order, String listed, ParsedVersion version) {
    try {
      return order.parse(listed).compareTo(version) == 0;
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
            return Integer.compare(position(a), position(b));
          }
          int c = a.at().compareTo(b.at());
          return c != 0 ? c : a.event().kind().compareTo(b.event().kind());
        };

    /** An unbounded introduced sorts first, an unbounded limit last. */
    private static int position(Placed p) {
      return p.at() != null ? 0 : (p.event().kind() == EventKind.INTRODUCED ? -1 : 1);
    }
  }
}

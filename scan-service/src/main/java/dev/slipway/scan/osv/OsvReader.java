package dev.slipway.scan.osv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.Severity;
import dev.slipway.scan.osv.Advisory.AdvisorySeverity;
import dev.slipway.scan.osv.AffectedPackage.Event;
import dev.slipway.scan.osv.AffectedPackage.EventKind;
import dev.slipway.scan.osv.AffectedPackage.Range;
import dev.slipway.scan.osv.AffectedPackage.RangeType;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import us.springett.cvss.Cvss;

/**
 * Reads an OSV document (the schema osv.dev and GitHub's advisory database publish) into an {@link
 * Advisory}, refusing what breaks the schema with an {@link OsvFormatException} that points at the
 * value at fault. Unknown fields are ignored, as the schema asks.
 */
public final class OsvReader {

  private static final Map<String, Integer> CVSS_PREFERENCE =
      Map.of("CVSS_V4", 4, "CVSS_V3", 3, "CVSS_V2", 2);

  private OsvReader() {}

  /** The advisory {@code document} describes. */
  public static Advisory read(JsonNode document) {
    if (document == null || !document.isObject()) {
      throw new OsvFormatException("", "an OSV document must be a JSON object");
    }
    String id = requiredText(document, "id", "");
    OffsetDateTime modified = requiredTime(document, "modified");
    OffsetDateTime published = optionalTime(document, "published");
    OffsetDateTime withdrawn = optionalTime(document, "withdrawn");
    List<String> aliases = new ArrayList<>();
    JsonNode aliasNode = document.get("aliases");
    if (aliasNode != null && !aliasNode.isNull()) {
      if (!aliasNode.isArray()) {
        throw new OsvFormatException("/aliases", "aliases must be an array of ids");
      }
      for (int i = 0; i < aliasNode.size(); i++) {
        if (!aliasNode.get(i).isTextual()) {
          throw new OsvFormatException("/aliases/" + i, "an alias must be a string");
        }
        aliases.add(aliasNode.get(i).asText());
      }
    }
    JsonNode summary = document.get("summary");
    return new Advisory(
        id,
        aliases,
        modified,
        published,
        withdrawn,
        summary != null && summary.isTextual() ? summary.asText() : null,
        severity(document),
        affected(document),
        document);
  }

  private static List<AffectedPackage> affected(JsonNode document) {
    JsonNode affected = document.get("affected");
    List<AffectedPackage> packages = new ArrayList<>();
    if (affected == null || affected.isNull()) {
      return packages;
    }
    if (!affected.isArray()) {
      throw new OsvFormatException("/affected", "affected must be an array");
    }
    for (int i = 0; i < affected.size(); i++) {
      String at = "/affected/" + i;
      JsonNode entry = affected.get(i);
      if (!entry.isObject()) {
        throw new OsvFormatException(at, "an affected entry must be an object");
      }
      JsonNode pkg = entry.get("package");
      if (pkg == null || pkg.isNull()) {
        // Entries without a package (only commits) cannot match an SBOM component.
        continue;
      }
      if (!pkg.isObject()) {
        throw new OsvFormatException(at + "/package", "package must be an object");
      }
      String ecosystem = requiredText(pkg, "ecosystem", at + "/package");
      String name = requiredText(pkg, "name", at + "/package");
      String normalised = Ecosystem.ofOsv(ecosystem).map(e -> e.normaliseName(name)).orElse(name);
      packages.add(
          new AffectedPackage(ecosystem, normalised, ranges(entry, at), versions(entry, at)));
    }
    return packages;
  }

  private static List<Range> ranges(JsonNode entry, String at) {
    JsonNode ranges = entry.get("ranges");
    List<Range> result = new ArrayList<>();
    if (ranges == null || ranges.isNull()) {
      return result;
    }
    if (!ranges.isArray()) {
      throw new OsvFormatException(at + "/ranges", "ranges must be an array");
    }
    for (int r = 0; r < ranges.size(); r++) {
      String rangeAt = at + "/ranges/" + r;
      JsonNode range = ranges.get(r);
      String typeText = requiredText(range, "type", rangeAt);
      RangeType type;
      try {
        type = RangeType.valueOf(typeText);
      } catch (IllegalArgumentException e) {
        throw new OsvFormatException(
            rangeAt + "/type", "type must be ECOSYSTEM, SEMVER or GIT, not '" + typeText + "'");
      }
      JsonNode events = range.get("events");
      if (events == null || !events.isArray() || events.isEmpty()) {
        throw new OsvFormatException(rangeAt + "/events", "a range needs a non-empty events array");
      }
      List<Event> parsed = new ArrayList<>();
      for (int e = 0; e < events.size(); e++) {
        String eventAt = rangeAt + "/events/" + e;
        JsonNode event = events.get(e);
        if (!event.isObject() || event.size() != 1) {
          throw new OsvFormatException(
              eventAt, "an event must be an object with exactly one of " + eventFields());
        }
        Map.Entry<String, JsonNode> only = event.fields().next();
        EventKind kind =
            EventKind.ofField(only.getKey())
                .orElseThrow(
                    () ->
                        new OsvFormatException(
                            eventAt + "/" + only.getKey(),
                            "unknown event '" + only.getKey() + "', expected " + eventFields()));
        if (!only.getValue().isTextual() || only.getValue().asText().isBlank()) {
          throw new OsvFormatException(
              eventAt + "/" + only.getKey(), only.getKey() + " must be a version string");
        }
        parsed.add(new Event(kind, only.getValue().asText()));
      }
      if (parsed.stream().noneMatch(ev -> ev.kind() == EventKind.INTRODUCED)) {
        throw new OsvFormatException(rangeAt + "/events", "a range needs an introduced event");
      }
      result.add(new Range(type, parsed));
    }
    return result;
  }

  private static List<String> versions(JsonNode entry, String at) {
    JsonNode versions = entry.get("versions");
    List<String> result = new ArrayList<>();
    if (versions == null || versions.isNull()) {
      return result;
    }
    if (!versions.isArray()) {
      throw new OsvFormatException(at + "/versions", "versions must be an array of strings");
    }
    for (int i = 0; i < versions.size(); i++) {
      if (!versions.get(i).isTextual()) {
        throw new OsvFormatException(at + "/versions/" + i, "a version must be a string");
      }
      result.add(versions.get(i).asText());
    }
    return result;
  }

  /**
   * The advisory's severity: its newest CVSS vector (v4, then v3.x, then v2) scored by
   * cvss-calculator, else the rating its database gives ({@code database_specific.severity},
   * GitHub's {@code MODERATE} being MEDIUM, or an affected entry's {@code
   * ecosystem_specific.severity}).
   */
  static AdvisorySeverity severity(JsonNode document) {
    Optional<AdvisorySeverity> scored = cvss(document.get("severity"));
    if (scored.isPresent()) {
      return scored.get();
    }
    Optional<Severity> rated = rating(document.path("database_specific").path("severity"));
    for (JsonNode entry : document.path("severity")) {
      // Ubuntu rates its own (type "Ubuntu", score "medium") instead of a CVSS vector.
      if (rated.isEmpty() && "Ubuntu".equals(entry.path("type").asText())) {
        rated = rating(entry.path("score"));
      }
    }
    Iterator<JsonNode> affected = document.path("affected").elements();
    while (rated.isEmpty() && affected.hasNext()) {
      JsonNode entry = affected.next();
      rated = rating(entry.path("ecosystem_specific").path("severity"));
      if (rated.isEmpty()) {
        rated = rating(entry.path("database_specific").path("severity"));
      }
      if (rated.isEmpty()) {
        scored = cvss(entry.get("severity"));
        if (scored.isPresent()) {
          return scored.get();
        }
      }
    }
    return new AdvisorySeverity(rated.orElse(Severity.UNKNOWN), null, null);
  }

  private static Optional<AdvisorySeverity> cvss(JsonNode severities) {
    if (severities == null || !severities.isArray()) {
      return Optional.empty();
    }
    JsonNode best = null;
    for (JsonNode entry : severities) {
      int rank = CVSS_PREFERENCE.getOrDefault(entry.path("type").asText(), 0);
      if (rank > 0
          && entry.path("score").isTextual()
          && (best == null || rank > CVSS_PREFERENCE.get(best.path("type").asText()))) {
        best = entry;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    String vector = best.path("score").asText();
    Cvss cvss;
    try {
      cvss = Cvss.fromVector(vector);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (cvss == null) {
      return Optional.empty();
    }
    double score = cvss.calculateScore().getBaseScore();
    boolean v2 = "CVSS_V2".equals(best.path("type").asText());
    return Optional.of(new AdvisorySeverity(rate(score, v2), score, vector));
  }

  /** CVSS qualitative rating: v3/v4 (None, Low, Medium, High, Critical); v2 has no Critical. */
  static Severity rate(double score, boolean v2) {
    if (score >= 9.0 && !v2) {
      return Severity.CRITICAL;
    }
    if (score >= 7.0) {
      return Severity.HIGH;
    }
    if (score >= 4.0) {
      return Severity.MEDIUM;
    }
    return score > 0.0 ? Severity.LOW : Severity.UNKNOWN;
  }

  private static Optional<Severity> rating(JsonNode node) {
    if (!node.isTextual()) {
      return Optional.empty();
    }
    return switch (node.asText().toUpperCase(Locale.ROOT)) {
      case "CRITICAL" -> Optional.of(Severity.CRITICAL);
      case "HIGH", "IMPORTANT" -> Optional.of(Severity.HIGH);
      case "MODERATE", "MEDIUM" -> Optional.of(Severity.MEDIUM);
      case "LOW", "NEGLIGIBLE", "UNIMPORTANT" -> Optional.of(Severity.LOW);
      default -> Optional.empty();
    };
  }

  private static String eventFields() {
    return "introduced, fixed, last_affected, limit";
  }

  private static String requiredText(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new OsvFormatException(at, field + " is required");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new OsvFormatException(at + "/" + field, field + " must be a non-empty string");
    }
    return value.asText();
  }

  private static OffsetDateTime requiredTime(JsonNode node, String field) {
    OffsetDateTime time = optionalTime(node, field);
    if (time == null) {
      throw new OsvFormatException("", field + " is required");
    }
    return time;
  }

  private static OffsetDateTime optionalTime(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new OsvFormatException(
          "/" + field, field + " must be an RFC 3339 timestamp, not '" + value.asText() + "'");
    }
  }
}

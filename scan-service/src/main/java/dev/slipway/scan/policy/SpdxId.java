package dev.slipway.scan.policy;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SPDX licence id, normalised so that spellings of the same licence compare equal: ids without
 * regard to case (as SPDX matches them), deprecated ids replaced by their successors ({@code
 * GPL-2.0} is {@code GPL-2.0-only}, {@code GPL-2.0+} and {@code GPL-2.0-or-later} are one, {@code
 * LGPL-2.1+} is {@code LGPL-2.1-or-later}), and any other {@code id+} read as "or later".
 *
 * @param base the licence without version choice, upper case, e.g. {@code GPL} or {@code MIT}
 * @param version the licence version of a GNU family id ({@code 2.0}); null for other ids
 * @param orLater whether the licensee may choose a later version
 */
record SpdxId(String base, String version, boolean orLater) {

  /** The GNU licence families whose versions an "or later" choice ranges over, oldest first. */
  private static final Map<String, List<String>> FAMILY_VERSIONS =
      Map.of(
          "GPL", List.of("1.0", "2.0", "3.0"),
          "LGPL", List.of("2.0", "2.1", "3.0"),
          "AGPL", List.of("1.0", "3.0"),
          "GFDL", List.of("1.1", "1.2", "1.3"));

  /** Deprecated SPDX ids that name a licence plus an exception, by their successor's licence. */
  private static final Map<String, String> DEPRECATED_WITH_EXCEPTION =
      Map.ofEntries(
          Map.entry("GPL-2.0-WITH-AUTOCONF-EXCEPTION", "GPL-2.0-only"),
          Map.entry("GPL-2.0-WITH-BISON-EXCEPTION", "GPL-2.0-or-later"),
          Map.entry("GPL-2.0-WITH-CLASSPATH-EXCEPTION", "GPL-2.0-only"),
          Map.entry("GPL-2.0-WITH-FONT-EXCEPTION", "GPL-2.0-only"),
          Map.entry("GPL-2.0-WITH-GCC-EXCEPTION", "GPL-2.0-or-later"),
          Map.entry("GPL-3.0-WITH-AUTOCONF-EXCEPTION", "GPL-3.0-only"),
          Map.entry("GPL-3.0-WITH-GCC-EXCEPTION", "GPL-3.0-only"),
          Map.entry("STANDARDML-NJ", "SMLNJ"),
          Map.entry("WXWINDOWS", "GPL-2.0-or-later"),
          Map.entry("ECOS-2.0", "GPL-2.0-or-later"));

  private static final Pattern GNU =
      Pattern.compile("^(A?GPL|LGPL|GFDL)-([0-9]\\.[0-9])(-ONLY|-OR-LATER|\\+)?$");

  /** Reads one id (not an expression). */
  static SpdxId of(String id) {
    String upper = id.trim().toUpperCase(Locale.ROOT);
    String successor = DEPRECATED_WITH_EXCEPTION.get(upper);
    if (successor != null) {
      upper = successor.toUpperCase(Locale.ROOT);
    }
    Matcher gnu = GNU.matcher(upper);
    if (gnu.matches()) {
      String suffix = gnu.group(3);
      boolean orLater = suffix != null && !"-ONLY".equals(suffix);
      return new SpdxId(gnu.group(1), gnu.group(2), orLater);
    }
    if (upper.endsWith("-OR-LATER")) {
      return new SpdxId(upper.substring(0, upper.length() - "-OR-LATER".length()), null, true);
    }
    if (upper.endsWith("+")) {
      return new SpdxId(upper.substring(0, upper.length() - 1), null, true);
    }
    if (upper.endsWith("-ONLY")) {
      return new SpdxId(upper.substring(0, upper.length() - "-ONLY".length()), null, false);
    }
    return new SpdxId(upper, null, false);
  }

  /**
   * The single licences a licensee under this id may choose from: itself, or for a GNU "or later"
   * id every version from its own on.
   */
  List<SpdxId> choices() {
    if (!orLater) {
      return List.of(this);
    }
    List<String> versions = FAMILY_VERSIONS.get(base);
    if (version == null || versions == null || !versions.contains(version)) {
      return List.of(new SpdxId(base, version, false));
    }
    return versions.subList(versions.indexOf(version), versions.size()).stream()
        .map(v -> new SpdxId(base, v, false))
        .toList();
  }
}

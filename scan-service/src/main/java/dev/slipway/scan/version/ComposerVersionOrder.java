package dev.slipway.scan.version;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Packagist's version order as Composer applies it: a version is first normalised the way
 * composer/semver's {@code VersionParser::normalize} does ({@code v1.2} becomes {@code 1.2.0.0},
 * {@code 1.0RC1} becomes {@code 1.0.0.0-RC1}, {@code p1} becomes {@code patch1}, build metadata
 * dropped), then normalised versions compare with PHP's {@code version_compare} ({@code dev < alpha
 * < beta < RC < release < patch}). Written out from composer/semver and PHP's {@code versioning.c};
 * checked against vectors produced by composer/semver itself.
 */
public final class ComposerVersionOrder implements VersionOrder {

  private static final String MODIFIER =
      "[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*+)?)?([.-]?dev)?";
  private static final Pattern CLASSICAL =
      Pattern.compile(
          "^v?(\\d{1,5})(\\.\\d++)?(\\.\\d++)?(\\.\\d++)?" + MODIFIER + "$",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern DATE =
      Pattern.compile(
          "^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})" + MODIFIER + "$",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern BUILD = Pattern.compile("^([^,\\s+]++)\\+[^\\s]++$");
  private static final Pattern STABILITY_FLAG =
      Pattern.compile("@(?:stable|RC|beta|alpha|dev)$", Pattern.CASE_INSENSITIVE);
  private static final Pattern DEV_BRANCH =
      Pattern.compile("^(.*?)[.-]?dev$", Pattern.CASE_INSENSITIVE);
  private static final Pattern NUMERIC_BRANCH =
      Pattern.compile(
          "^v?(\\d++)(\\.(?:\\d++|[xX*]))?(\\.(?:\\d++|[xX*]))?(\\.(?:\\d++|[xX*]))?$",
          Pattern.CASE_INSENSITIVE);

  private static final String[][] SPECIAL_FORMS = {
    {"dev", "0"},
    {"alpha", "1"},
    {"a", "1"},
    {"beta", "2"},
    {"b", "2"},
    {"RC", "3"},
    {"rc", "3"},
    {"#", "4"},
    {"pl", "5"},
    {"p", "5"}
  };

  @Override
  public ParsedVersion parse(String text) {
    String normalised = text == null ? null : normalise(text);
    if (normalised == null) {
      throw new InvalidVersionException(String.valueOf(text), "Packagist");
    }
    return new ComposerVersion(normalised);
  }

  /** composer/semver's VersionParser::normalize for versions (not branches); null if invalid. */
  static String normalise(String text) {
    String version = text.trim();
    Matcher flag = STABILITY_FLAG.matcher(version);
    if (flag.find()) {
      version = version.substring(0, flag.start());
    }
    if (version.regionMatches(true, 0, "dev-", 0, 4)
        || List.of("master", "trunk", "default").contains(version)) {
      // A branch never compares with a release.
      return null;
    }
    Matcher build = BUILD.matcher(version);
    if (build.matches()) {
      version = build.group(1);
    }
    Matcher m = CLASSICAL.matcher(version);
    int index;
    if (m.matches()) {
      version =
          m.group(1)
              + (isEmpty(m.group(2)) ? ".0" : m.group(2))
              + (isEmpty(m.group(3)) ? ".0" : m.group(3))
              + (isEmpty(m.group(4)) ? ".0" : m.group(4));
      index = 5;
    } else {
      m = DATE.matcher(version);
      if (!m.matches()) {
        return numericDevBranch(version);
      }
      version = m.group(1).replaceAll("\\D", ".");
      index = 2;
    }
    if (!isEmpty(m.group(index))) {
      if ("stable".equals(m.group(index))) {
        return version;
      }
      String number = m.group(index + 1);
      version +=
          "-"
              + expandStability(m.group(index))
              + (number == null || number.isEmpty() ? "" : number.replaceFirst("^[.-]+", ""));
    }
    if (!isEmpty(m.group(index + 2))) {
      version += "-dev";
    }
    return version;
  }

  private static String numericDevBranch(String version) {
    Matcher dev = DEV_BRANCH.matcher(version);
    if (!dev.matches()) {
      return null;
    }
    Matcher branch = NUMERIC_BRANCH.matcher(dev.group(1).trim());
    if (!branch.matches()) {
      return null;
    }
    StringBuilder normalised = new StringBuilder();
    for (int i = 1; i < 5; i++) {
      String part = branch.group(i);
      normalised.append(part == null ? ".x" : part.replace('*', 'x').replace('X', 'x'));
    }
    return normalised.toString().replace("x", "9999999") + "-dev";
  }

  private static boolean isEmpty(String group) {
    return group == null || group.isEmpty();
  }

  private static String expandStability(String stability) {
    return switch (stability.toLowerCase(Locale.ROOT)) {
      case "a" -> "alpha";
      case "b" -> "beta";
      case "p", "pl" -> "patch";
      case "rc" -> "RC";
      default -> stability.toLowerCase(Locale.ROOT);
    };
  }

  private record ComposerVersion(String normalised) implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      return versionCompare(normalised, ((ComposerVersion) other).normalised);
    }
  }

  /** PHP's version_compare. */
  static int versionCompare(String a, String b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() && b.isEmpty() ? 0 : (a.isEmpty() ? -1 : 1);
    }
    List<String> one = List.of(canonicalise(a).split("\\.", -1));
    List<String> two = List.of(canonicalise(b).split("\\.", -1));
    int i = 0;
    int compare = 0;
    while (i < one.size() && i < two.size()) {
      String p1 = one.get(i);
      String p2 = two.get(i);
      if (p1.isEmpty() || p2.isEmpty()) {
        break;
      }
      boolean d1 = Character.isDigit(p1.charAt(0));
      boolean d2 = Character.isDigit(p2.charAt(0));
      if (d1 && d2) {
        compare = Long.signum(Long.compare(leadingNumber(p1), leadingNumber(p2)));
      } else if (!d1 && !d2) {
        compare = compareSpecialForms(p1, p2);
      } else {
        compare = d1 ? compareSpecialForms("#N#", p2) : compareSpecialForms(p1, "#N#");
      }
      if (compare != 0) {
        return compare;
      }
      i++;
    }
    if (i < one.size() && !one.get(i).isEmpty()) {
      return Character.isDigit(one.get(i).charAt(0))
          ? 1
          : versionCompare(String.join(".", one.subList(i, one.size())), "#N#");
    }
    if (i < two.size() && !two.get(i).isEmpty()) {
      return Character.isDigit(two.get(i).charAt(0))
          ? -1
          : versionCompare("#N#", String.join(".", two.subList(i, two.size())));
    }
    return 0;
  }

  /** PHP's php_canonicalize_version: separators to dots, dots between digits and letters. */
  private static String canonicalise(String version) {
    if (version.startsWith("#")) {
      return version;
    }
    StringBuilder out = new StringBuilder();
    char previous = version.charAt(0);
    out.append(previous);
    for (int i = 1; i < version.length(); i++) {
      char c = version.charAt(i);
      char last = out.charAt(out.length() - 1);
      if (c == '-' || c == '_' || c == '+') {
        if (last != '.') {
          out.append('.');
        }
      } else if ((isNonDigit(previous) && isDigitChar(c))
          || (isDigitChar(previous) && isNonDigit(c))) {
        if (last != '.') {
          out.append('.');
        }
        out.append(c);
      } else if (!Character.isLetterOrDigit(c)) {
        if (last != '.') {
          out.append('.');
        }
      } else {
        out.append(c);
      }
      previous = c;
    }
    return out.toString();
  }

  private static boolean isDigitChar(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isNonDigit(char c) {
    return !isDigitChar(c) && c != '.';
  }

  private static long leadingNumber(String part) {
    long value = 0;
    for (int i = 0; i < part.length() && isDigitChar(part.charAt(i)); i++) {
      value =
          value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + part.charAt(i) - '0';
    }
    return value;
  }

  private static int compareSpecialForms(String form1, String form2) {
    return Integer.signum(specialOrder(form1) - specialOrder(form2));
  }

  private static int specialOrder(String form) {
    for (String[] special : SPECIAL_FORMS) {
      if (form.startsWith(special[0])) {
        return Integer.parseInt(special[1]);
      }
    }
    return -1;
  }
}

package dev.slipway.scan.version;

/**
 * The order of RPM packages (Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE, Mageia, ...) as rpm
 * compares {@code [epoch:]version[-release]}: epoch as a number (absent is 0), then version, then
 * release (a missing release is the empty one, below any), each with rpmvercmp (alphanumeric runs,
 * digits above letters, {@code ~} before everything, {@code ^} after the base version). Written out
 * from rpm's {@code rpmvercmp.c} and {@code rpmver.c}; checked against vectors produced by rpm
 * itself.
 */
public final class RpmVersionOrder implements VersionOrder {

  @Override
  public ParsedVersion parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidVersionException(String.valueOf(text), "RPM");
    }
    String evr = text.trim();
    int s = 0;
    while (s < evr.length() && isDigit(evr.charAt(s))) {
      s++;
    }
    String epoch = null;
    String rest = evr;
    if (s < evr.length() && evr.charAt(s) == ':') {
      epoch = s == 0 ? "0" : evr.substring(0, s);
      rest = evr.substring(s + 1);
    }
    int hyphen = rest.lastIndexOf('-');
    String version = hyphen >= 0 ? rest.substring(0, hyphen) : rest;
    String release = hyphen >= 0 ? rest.substring(hyphen + 1) : null;
    return new Evr(epoch, version, release);
  }

  private record Evr(String epoch, String version, String release) implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      Evr that = (Evr) other;
      int c = rpmvercmp(epoch == null ? "0" : epoch, that.epoch == null ? "0" : that.epoch);
      if (c == 0) {
        c = rpmvercmp(version, that.version);
      }
      if (c == 0) {
        c = rpmvercmp(release == null ? "" : release, that.release == null ? "" : that.release);
      }
      return c;
    }
  }

  /** rpm's rpmvercmp. */
  static int rpmvercmp(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    int one = 0;
    int two = 0;
    while (one < a.length() || two < b.length()) {
      while (one < a.length() && !isSegmentStart(a.charAt(one))) {
        one++;
      }
      while (two < b.length() && !isSegmentStart(b.charAt(two))) {
        two++;
      }
      char c1 = charAt(a, one);
      char c2 = charAt(b, two);
      if (c1 == '~' || c2 == '~') {
        if (c1 != '~') {
          return 1;
        }
        if (c2 != '~') {
          return -1;
        }
        one++;
        two++;
        continue;
      }
      if (c1 == '^' || c2 == '^') {
        if (one >= a.length()) {
          return -1;
        }
        if (two >= b.length()) {
          return 1;
        }
        if (c1 != '^') {
          return 1;
        }
        if (c2 != '^') {
          return -1;
        }
        one++;
        two++;
        continue;
      }
      if (one >= a.length() || two >= b.length()) {
        break;
      }
      int end1 = one;
      int end2 = two;
      boolean numeric = isDigit(a.charAt(one));
      if (numeric) {
        while (end1 < a.length() && isDigit(a.charAt(end1))) {
          end1++;
        }
        while (end2 < b.length() && isDigit(b.charAt(end2))) {
          end2++;
        }
      } else {
        while (end1 < a.length() && isAlpha(a.charAt(end1))) {
          end1++;
        }
        while (end2 < b.length() && isAlpha(b.charAt(end2))) {
          end2++;
        }
      }
      if (end2 == two) {
        return numeric ? 1 : -1;
      }
      String s1 = a.substring(one, end1);
      String s2 = b.substring(two, end2);
      if (numeric) {
        s1 = stripZeros(s1);
        s2 = stripZeros(s2);
        if (s1.length() != s2.length()) {
          return s1.length() > s2.length() ? 1 : -1;
        }
      }
      int c = s1.compareTo(s2);
      if (c != 0) {
        return c < 0 ? -1 : 1;
      }
      one = end1;
      two = end2;
    }
    if (one >= a.length() && two >= b.length()) {
      return 0;
    }
    return one >= a.length() ? -1 : 1;
  }

  private static String stripZeros(String digits) {
    int i = 0;
    while (i < digits.length() && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  private static char charAt(String s, int index) {
    return index < s.length() ? s.charAt(index) : '\0';
  }

  private static boolean isSegmentStart(char c) {
    return isDigit(c) || isAlpha(c) || c == '~' || c == '^';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}

package dev.slipway.scan.version;

/**
 * Debian's version order as dpkg implements it ({@code [epoch:]upstream[-revision]}, compared part
 * by part with {@code ~} sorting before everything, even the end of the string).
 */
public final class DebianVersionOrder implements VersionOrder {

  @Override
  public ParsedVersion parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidVersionException(String.valueOf(text), "Debian");
    }
    String rest = text.trim();
    long epoch = 0;
    int colon = rest.indexOf(':');
    if (colon >= 0) {
      String digits = rest.substring(0, colon);
      if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
        throw new InvalidVersionException(text, "Debian");
      }
      epoch = Long.parseLong(digits);
      rest = rest.substring(colon + 1);
    }
    int hyphen = rest.lastIndexOf('-');
    String upstream = hyphen >= 0 ? rest.substring(0, hyphen) : rest;
    String revision = hyphen >= 0 ? rest.substring(hyphen + 1) : "";
    if (upstream.isEmpty() || !Character.isDigit(upstream.charAt(0))) {
      throw new InvalidVersionException(text, "Debian");
    }
    return new DebianVersion(epoch, upstream, revision);
  }

  private record DebianVersion(long epoch, String upstream, String revision)
      implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      DebianVersion that = (DebianVersion) other;
      int byEpoch = Long.compare(epoch, that.epoch);
      if (byEpoch != 0) {
        return byEpoch;
      }
      int byUpstream = compareParts(upstream, that.upstream);
      return byUpstream != 0 ? byUpstream : compareParts(revision, that.revision);
    }
  }

  /** dpkg's verrevcmp: alternating non-digit and digit runs. */
  static int compareParts(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      while ((i < a.length() && !isDigit(a, i)) || (j < b.length() && !isDigit(b, j))) {
        int ac = weight(a, i);
        int bc = weight(b, j);
        if (ac != bc) {
          return ac - bc;
        }
        i++;
        j++;
      }
      while (i < a.length() && a.charAt(i) == '0') {
        i++;
      }
      while (j < b.length() && b.charAt(j) == '0') {
        j++;
      }
      int firstDiff = 0;
      while (isDigit(a, i) && isDigit(b, j)) {
        if (firstDiff == 0) {
          firstDiff = a.charAt(i) - b.charAt(j);
        }
        i++;
        j++;
      }
      if (isDigit(a, i)) {
        return 1;
      }
      if (isDigit(b, j)) {
        return -1;
      }
      if (firstDiff != 0) {
        return firstDiff;
      }
    }
    return 0;
  }

  private static boolean isDigit(String s, int index) {
    return index < s.length() && s.charAt(index) >= '0' && s.charAt(index) <= '9';
  }

  private static int weight(String s, int index) {
    if (index >= s.length()) {
      return 0;
    }
    char c = s.charAt(index);
    if (c >= '0' && c <= '9') {
      return 0;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return c;
    }
    return c == '~' ? -1 : c + 256;
  }
}

package dev.slipway.scan.version;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RubyGems' version order ({@code Gem::Version#<=>}): {@code -} reads as {@code .pre.}, the version
 * splits into numeric and letter segments, trailing zeros of its release and of its pre-release
 * part are dropped, and segments compare pairwise (missing ones as 0): numbers as numbers, letters
 * as text, a letter segment below a number, so {@code 1.0.a < 1.0 < 1.0.1}. Written out from
 * RubyGems' {@code version.rb}; checked against vectors produced by Ruby's own Gem::Version.
 */
public final class RubyGemsVersionOrder implements VersionOrder {

  private static final Pattern VALID =
      Pattern.compile(
          "^\\s*[0-9]+(?:\\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?\\s*$");
  private static final Pattern SEGMENT = Pattern.compile("[0-9]+|[a-zA-Z]+");

  @Override
  public ParsedVersion parse(String text) {
    if (text == null || !VALID.matcher(text).matches()) {
      throw new InvalidVersionException(String.valueOf(text), "RubyGems");
    }
    List<Object> segments = new ArrayList<>();
    Matcher m = SEGMENT.matcher(text.trim().replace("-", ".pre."));
    while (m.find()) {
      String s = m.group();
      segments.add(Character.isDigit(s.charAt(0)) ? new BigInteger(s) : s);
    }
    int firstString = 0;
    while (firstString < segments.size() && segments.get(firstString) instanceof BigInteger) {
      firstString++;
    }
    List<Object> canonical = dropTrailingZeros(segments.subList(0, firstString));
    canonical.addAll(dropTrailingZeros(segments.subList(firstString, segments.size())));
    return new GemVersion(canonical);
  }

  private static List<Object> dropTrailingZeros(List<Object> segments) {
    List<Object> result = new ArrayList<>(segments);
    while (!result.isEmpty() && BigInteger.ZERO.equals(result.get(result.size() - 1))) {
      result.remove(result.size() - 1);
    }
    return result;
  }

  private record GemVersion(List<Object> segments) implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      List<Object> that = ((GemVersion) other).segments;
      for (int i = 0; i < Math.max(segments.size(), that.size()); i++) {
        Object lhs = i < segments.size() ? segments.get(i) : BigInteger.ZERO;
        Object rhs = i < that.size() ? that.get(i) : BigInteger.ZERO;
        if (lhs.equals(rhs)) {
          continue;
        }
        if (lhs instanceof String && rhs instanceof BigInteger) {
          return -1;
        }
        if (lhs instanceof BigInteger && rhs instanceof String) {
          return 1;
        }
        int c =
            lhs instanceof BigInteger l
                ? l.compareTo((BigInteger) rhs)
                : ((String) lhs).compareTo((String) rhs);
        return Integer.signum(c);
      }
      return 0;
    }
  }
}

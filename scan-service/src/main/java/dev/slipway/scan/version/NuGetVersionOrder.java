package dev.slipway.scan.version;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NuGet's version order (NuGet.Versioning's {@code NuGetVersion} and {@code VersionComparer}): one
 * to four numeric parts (missing ones 0, leading zeros allowed, so {@code 1.0.01 = 1.0.1.0}), a
 * release above its pre-releases, pre-release labels compared one by one (numbers as numbers and
 * below text, text without regard to case), metadata after {@code +} ignored. Written out from
 * NuGet.Versioning; checked against the cases of NuGet.Client's own tests.
 */
public final class NuGetVersionOrder implements VersionOrder {

  private static final String LABEL = "[0-9A-Za-z-]+";
  private static final Pattern VERSION =
      Pattern.compile(
          "^(?<numbers>[0-9]+(?:\\.[0-9]+){0,3})"
              + "(?:-(?<pre>"
              + LABEL
              + "(?:\\."
              + LABEL
              + ")*))?(?:\\+"
              + LABEL
              + "(?:\\."
              + LABEL
              + ")*)?$");

  @Override
  public ParsedVersion parse(String text) {
    Matcher m = text == null ? null : VERSION.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new InvalidVersionException(String.valueOf(text), "NuGet");
    }
    List<BigInteger> numbers = new ArrayList<>();
    for (String part : m.group("numbers").split("\\.")) {
      numbers.add(new BigInteger(part));
    }
    while (numbers.size() < 4) {
      numbers.add(BigInteger.ZERO);
    }
    List<String> labels = m.group("pre") == null ? List.of() : List.of(m.group("pre").split("\\."));
    return new NuGetVersion(numbers, labels);
  }

  private record NuGetVersion(List<BigInteger> numbers, List<String> labels)
      implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      NuGetVersion that = (NuGetVersion) other;
      for (int i = 0; i < 4; i++) {
        int c = numbers.get(i).compareTo(that.numbers.get(i));
        if (c != 0) {
          return c;
        }
      }
      if (labels.isEmpty() != that.labels.isEmpty()) {
        return labels.isEmpty() ? 1 : -1;
      }
      for (int i = 0; i < Math.min(labels.size(), that.labels.size()); i++) {
        int c = compareLabel(labels.get(i), that.labels.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(labels.size(), that.labels.size());
    }

    private static int compareLabel(String a, String b) {
      boolean aNumeric = a.chars().allMatch(Character::isDigit);
      boolean bNumeric = b.chars().allMatch(Character::isDigit);
      if (aNumeric && bNumeric) {
        return new BigInteger(a).compareTo(new BigInteger(b));
      }
      if (aNumeric != bNumeric) {
        return aNumeric ? -1 : 1;
      }
      return Integer.signum(a.toUpperCase(Locale.ROOT).compareTo(b.toUpperCase(Locale.ROOT)));
    }
  }
}

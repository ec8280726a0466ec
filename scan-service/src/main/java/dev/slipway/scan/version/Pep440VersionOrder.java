package dev.slipway.scan.version;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PyPI's version order, PEP 440 as the reference implementation (pypa/packaging) parses and
 * compares it: {@code [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]} with its accepted spellings
 * ({@code alpha}, {@code c}, {@code -1} for a post release, separators {@code -_.}, a leading
 * {@code v}), trailing zeros of the release ignored, a dev-only release before its pre-releases. No
 * Java 17 library implements it; the test vectors come from Debian's python3-packaging.
 */
public final class Pep440VersionOrder implements VersionOrder {

  private static final Pattern VERSION =
      Pattern.compile(
          "^\\s*v?"
              + "(?:(?<epoch>[0-9]+)!)?"
              + "(?<release>[0-9]+(?:\\.[0-9]+)*)"
              + "(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?"
              + "(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?"
              + "(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?"
              + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?"
              + "\\s*$",
          Pattern.CASE_INSENSITIVE);

  /** Below every pre-release: a dev-only release ({@code 1.0.dev1 < 1.0a1}). */
  private static final int PRE_BEFORE_ALL = -1;

  /** Above every pre-release: a final or post release. */
  private static final int PRE_NONE = 3;

  @Override
  public ParsedVersion parse(String text) {
    Matcher m = text == null ? null : VERSION.matcher(text);
    if (m == null || !m.matches()) {
      throw new InvalidVersionException(String.valueOf(text), "PEP 440");
    }
    BigInteger epoch = number(m.group("epoch"));
    List<BigInteger> release = new ArrayList<>();
    for (String part : m.group("release").split("\\.")) {
      release.add(new BigInteger(part));
    }
    while (release.size() > 1 && release.get(release.size() - 1).signum() == 0) {
      release.remove(release.size() - 1);
    }
    boolean hasPre = m.group("pre") != null;
    boolean hasPost = m.group("post") != null;
    boolean hasDev = m.group("dev") != null;
    int preKind;
    if (hasPre) {
      preKind = preKind(m.group("preL").toLowerCase(Locale.ROOT));
    } else {
      preKind = !hasPost && hasDev ? PRE_BEFORE_ALL : PRE_NONE;
    }
    BigInteger preNumber = hasPre ? number(m.group("preN")) : BigInteger.ZERO;
    BigInteger post =
        hasPost ? number(m.group("postN1") != null ? m.group("postN1") : m.group("postN2")) : null;
    BigInteger dev = hasDev ? number(m.group("devN")) : null;
    List<Object> local = new ArrayList<>();
    if (m.group("local") != null) {
      for (String part : m.group("local").split("[-_.]")) {
        local.add(
            part.chars().allMatch(Character::isDigit)
                ? new BigInteger(part)
                : part.toLowerCase(Locale.ROOT));
      }
    }
    return new Pep440Version(
        epoch,
        List.copyOf(release),
        preKind,
        preNumber,
        post,
        dev,
        m.group("local") != null,
        local);
  }

  private static int preKind(String label) {
    return switch (label) {
      case "a", "alpha" -> 0;
      case "b", "beta" -> 1;
      default -> 2; // rc, c, pre, preview
    };
  }

  private static BigInteger number(String digits) {
    return digits == null ? BigInteger.ZERO : new BigInteger(digits);
  }

  /** The comparison key of packaging's {@code _cmpkey}; null post/dev stand for its infinities. */
  private record Pep440Version(
      BigInteger epoch,
      List<BigInteger> release,
      int preKind,
      BigInteger preNumber,
      BigInteger post,
      BigInteger dev,
      boolean hasLocal,
      List<Object> local)
      implements ParsedVersion {

    @Override
    public int compareTo(ParsedVersion other) {
      Pep440Version that = (Pep440Version) other;
      int c = epoch.compareTo(that.epoch);
      if (c != 0) {
        return c;
      }
      c = compareRelease(release, that.release);
      if (c != 0) {
        return c;
      }
      c = Integer.compare(preKind, that.preKind);
      if (c != 0) {
        return c;
      }
      c = preNumber.compareTo(that.preNumber);
      if (c != 0) {
        return c;
      }
      // No post release sorts below any post release.
      c = compareNullsFirst(post, that.post);
      if (c != 0) {
        return c;
      }
      // No dev release sorts above any dev release.
      c = compareNullsLast(dev, that.dev);
      if (c != 0) {
        return c;
      }
      return compareLocal(that);
    }

    private int compareLocal(Pep440Version that) {
      if (!hasLocal || !that.hasLocal) {
        return Boolean.compare(hasLocal, that.hasLocal);
      }
      for (int i = 0; i < Math.min(local.size(), that.local.size()); i++) {
        Object a = local.get(i);
        Object b = that.local.get(i);
        int c;
        if (a instanceof BigInteger x && b instanceof BigInteger y) {
          c = x.compareTo(y);
        } else if (a instanceof String x && b instanceof String y) {
          c = x.compareTo(y);
        } else {
          // A numeric segment sorts above an alphanumeric one.
          c = a instanceof BigInteger ? 1 : -1;
        }
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(local.size(), that.local.size());
    }

    private static int compareRelease(List<BigInteger> a, List<BigInteger> b) {
      for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
        int c = a.get(i).compareTo(b.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.size(), b.size());
    }

    private static int compareNullsLast(BigInteger a, BigInteger b) {
      if (a == null || b == null) {
        return a == null ? (b == null ? 0 : 1) : -1;
      }
      return a.compareTo(b);
    }

    private static int compareNullsFirst(BigInteger a, BigInteger b) {
      if (a == null || b == null) {
        return a == null ? (b == null ? 0 : -1) : 1;
      }
      return a.compareTo(b);
    }
  }
}

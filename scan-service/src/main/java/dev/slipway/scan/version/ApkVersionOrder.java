package dev.slipway.scan.version;

/**
 * Alpine's version order as apk-tools compares versions ({@code apk version -t}, Gentoo-style):
 * digits, then an optional letter, then {@code _alpha|_beta|_pre|_rc} (before the release) or
 * {@code _cvs|_svn|_git|_hg|_p} (after it) with a number, then {@code -rN}. A part after a dot with
 * leading zeros compares as a fraction. Written out from apk-tools' {@code version.c}; the vectors
 * it is checked against were produced by apk-tools itself.
 */
public final class ApkVersionOrder implements VersionOrder {

  private static final String[] PRE_SUFFIXES = {"alpha", "beta", "pre", "rc"};
  private static final String[] POST_SUFFIXES = {"cvs", "svn", "git", "hg", "p"};

  // Token kinds, in apk-tools' order: a later kind ends a version "more" than an earlier one.
  private static final int INVALID = -1;
  private static final int DIGIT_OR_ZERO = 0;
  private static final int DIGIT = 1;
  private static final int LETTER = 2;
  private static final int SUFFIX = 3;
  private static final int SUFFIX_NO = 4;
  private static final int REVISION_NO = 5;
  private static final int END = 6;

  @Override
  public ParsedVersion parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidVersionException(String.valueOf(text), "Alpine");
    }
    String version = text.trim();
    if (!isValid(version)) {
      throw new InvalidVersionException(text, "Alpine");
    }
    return new ApkVersion(version);
  }

  /** apk's validity: the token walk reaches the end without an invalid token. */
  static boolean isValid(String version) {
    if (version.isEmpty() || !Character.isDigit(version.charAt(0))) {
      return false;
    }
    Cursor c = new Cursor(version);
    int[] type = {DIGIT};
    while (type[0] != END && type[0] != INVALID) {
      token(type, c);
    }
    return type[0] == END;
  }

  private record ApkVersion(String text) implements ParsedVersion {
    @Override
    public int compareTo(ParsedVersion other) {
      return compare(text, ((ApkVersion) other).text);
    }
  }

  /** apk-tools' apk_version_compare_blob, without fuzzy matching. */
  static int compare(String left, String right) {
    Cursor a = new Cursor(left);
    Cursor b = new Cursor(right);
    int[] at = {DIGIT};
    int[] bt = {DIGIT};
    long av = 0;
    long bv = 0;
    while (at[0] == bt[0] && at[0] != END && at[0] != INVALID && av == bv) {
      av = token(at, a);
      bv = token(bt, b);
    }
    if (av != bv) {
      return av < bv ? -1 : 1;
    }
    if (at[0] == bt[0]) {
      return 0;
    }
    // Equal so far: the longer one is greater, unless what follows is a pre-release suffix.
    if (at[0] == SUFFIX && token(new int[] {at[0]}, a.copy()) < 0) {
      return -1;
    }
    if (bt[0] == SUFFIX && token(new int[] {bt[0]}, b.copy()) < 0) {
      return 1;
    }
    if (at[0] > bt[0]) {
      return -1;
    }
    if (bt[0] > at[0]) {
      return 1;
    }
    return 0;
  }

  /** apk-tools' get_token: the value of the token of kind {@code type[0]}, advancing the kind. */
  private static long token(int[] type, Cursor blob) {
    if (blob.isEmpty()) {
      type[0] = END;
      return 0;
    }
    long value = 0;
    int i = 0;
    int next = INVALID;
    switch (type[0]) {
      case DIGIT_OR_ZERO:
        if (blob.at(0) == '0') {
          while (i < blob.length() && blob.at(i) == '0') {
            i++;
          }
          next = DIGIT;
          value = -i;
          break;
        }
        value = digits(blob);
        i = digitCount(blob);
        break;
      case DIGIT:
      case SUFFIX_NO:
      case REVISION_NO:
        value = digits(blob);
        i = digitCount(blob);
        break;
      case LETTER:
        value = blob.at(0);
        i = 1;
        break;
      case SUFFIX:
        int pre = prefixIndex(PRE_SUFFIXES, blob);
        if (pre >= 0) {
          value = pre - PRE_SUFFIXES.length;
          i = PRE_SUFFIXES[pre].length();
          break;
        }
        int post = prefixIndex(POST_SUFFIXES, blob);
        if (post >= 0) {
          value = post;
          i = POST_SUFFIXES[post].length();
          break;
        }
        type[0] = INVALID;
        return -1;
      default:
        type[0] = INVALID;
        return -1;
    }
    blob.advance(i);
    if (blob.isEmpty()) {
      type[0] = END;
    } else if (next != INVALID) {
      type[0] = next;
    } else {
      nextToken(type, blob);
    }
    return value;
  }

  /** apk-tools' next_token: the kind of the token at the cursor, consuming its separator. */
  private static void nextToken(int[] type, Cursor blob) {
    int n = INVALID;
    if (blob.isEmpty()) {
      n = END;
    } else if ((type[0] == DIGIT || type[0] == DIGIT_OR_ZERO) && isLower(blob.at(0))) {
      n = LETTER;
    } else if (type[0] == LETTER && isDigit(blob.at(0))) {
      n = DIGIT;
    } else if (type[0] == SUFFIX && isDigit(blob.at(0))) {
      n = SUFFIX_NO;
    } else {
      switch (blob.at(0)) {
        case '.' -> n = DIGIT_OR_ZERO;
        case '_' -> n = SUFFIX;
        case '-' -> {
          if (blob.length() > 1 && blob.at(1) == 'r') {
            n = REVISION_NO;
            blob.advance(1);
          }
        }
        default -> {}
      }
      blob.advance(1);
    }
    if (n < type[0]
        && !((n == DIGIT_OR_ZERO && type[0] == DIGIT)
            || (n == SUFFIX && type[0] == LETTER)
            || (n == DIGIT && type[0] == LETTER))) {
      n = INVALID;
    }
    type[0] = n;
  }

  private static int prefixIndex(String[] names, Cursor blob) {
    for (int v = 0; v < names.length; v++) {
      if (blob.startsWith(names[v])) {
        return v;
      }
    }
    return -1;
  }

  private static long digits(Cursor blob) {
    long value = 0;
    for (int i = 0; i < blob.length() && isDigit(blob.at(i)); i++) {
      // apk keeps the value in a C int; saturate rather than wrap so huge runs stay ordered.
      value = Math.min(Long.MAX_VALUE / 20, value * 10 + (blob.at(i) - '0'));
    }
    return value;
  }

  private static int digitCount(Cursor blob) {
    int i = 0;
    while (i < blob.length() && isDigit(blob.at(i))) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isLower(char c) {
    return c >= 'a' && c <= 'z';
  }

  /** The unread rest of a version string. */
  private static final class Cursor {
    private final String text;
    private int position;

    Cursor(String text) {
      this(text, 0);
    }

    private Cursor(String text, int position) {
      this.text = text;
      this.position = position;
    }

    Cursor copy() {
      return new Cursor(text, position);
    }

    boolean isEmpty() {
      return position >= text.length();
    }

    int length() {
      return text.length() - position;
    }

    char at(int offset) {
      return text.charAt(position + offset);
    }

    boolean startsWith(String prefix) {
      return text.startsWith(prefix, position);
    }

    void advance(int count) {
      position += count;
    }
  }
}

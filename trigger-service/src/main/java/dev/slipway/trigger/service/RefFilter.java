package dev.slipway.trigger.service;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Branch and tag filters: globs where {@code *} matches within one path segment, {@code **} across
 * segments and {@code ?} one character, e.g. {@code main}, {@code release/*}, {@code v*}, {@code
 * **}. Everything else matches literally.
 */
public final class RefFilter {

  public static final String BRANCH_PREFIX = "refs/heads/";
  public static final String TAG_PREFIX = "refs/tags/";

  private RefFilter() {}

  /**
   * Whether the full {@code ref} is a branch matching a branch glob or a tag matching a tag glob.
   */
  public static boolean matches(String ref, List<String> branchGlobs, List<String> tagGlobs) {
    if (ref.startsWith(BRANCH_PREFIX)) {
      return anyMatches(branchGlobs, ref.substring(BRANCH_PREFIX.length()));
    }
    if (ref.startsWith(TAG_PREFIX)) {
      return anyMatches(tagGlobs, ref.substring(TAG_PREFIX.length()));
    }
    return false;
  }

  /** Whether {@code name} matches {@code glob}. */
  public static boolean globMatches(String glob, String name) {
    return toRegex(glob).matcher(name).matches();
  }

  private static boolean anyMatches(List<String> globs, String name) {
    return globs.stream().anyMatch(glob -> globMatches(glob, name));
  }

  private static Pattern toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' || c == '?') {
        flush(literal, regex);
        if (c == '?') {
          regex.append("[^/]");
        } else if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          regex.append(".*");
          i++;
        } else {
          regex.append("[^/]*");
        }
      } else {
        literal.append(c);
      }
    }
    flush(literal, regex);
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  private static void flush(StringBuilder literal, StringBuilder regex) {
    if (!literal.isEmpty()) {
      regex.append(Pattern.quote(literal.toString()));
      literal.setLength(0);
    }
  }
}

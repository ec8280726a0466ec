package dev.slipway.events;

import java.util.regex.Pattern;

/**
 * Ref globs as the registry writes them: {@code *} within one path segment, {@code **} across
 * segments, {@code ?} one character. A glob that starts with {@code refs/} matches the full ref;
 * any other matches the branch or tag name ({@code release/*} matches {@code
 * refs/heads/release/1.2}).
 */
final class RefGlob {

  private RefGlob() {}

  static boolean matches(String glob, String ref) {
    if (glob.startsWith("refs/")) {
      return regex(glob).matcher(ref).matches();
    }
    String name = shortName(ref);
    return name != null && regex(glob).matcher(name).matches();
  }

  private static String shortName(String ref) {
    if (ref.startsWith("refs/heads/")) {
      return ref.substring("refs/heads/".length());
    }
    if (ref.startsWith("refs/tags/")) {
      return ref.substring("refs/tags/".length());
    }
    return null;
  }

  private static Pattern regex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}

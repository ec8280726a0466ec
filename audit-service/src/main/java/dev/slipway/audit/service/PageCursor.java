package dev.slipway.audit.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalLong;

/** The opaque cursor of a keyset page: the seq after which the next page starts. */
public final class PageCursor {

  private static final String PREFIX = "seq:";

  private PageCursor() {}

  /** The cursor of a page that starts after {@code seq}; null for none. */
  public static String of(Long seq) {
    return seq == null
        ? null
        : Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString((PREFIX + seq).getBytes(StandardCharsets.UTF_8));
  }

  /** The seq a cursor this API returned stands for; empty when it is not one. */
  public static OptionalLong parse(String cursor) {
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (decoded.startsWith(PREFIX)) {
        long seq = Long.parseLong(decoded.substring(PREFIX.length()));
        if (seq >= 0) {
          return OptionalLong.of(seq);
        }
      }
    } catch (IllegalArgumentException e) {
      // not a cursor of this API
    }
    return OptionalLong.empty();
  }
}

package dev.slipway.console.rest;

/**
 * The console's cookies, written as {@code Set-Cookie} values with every attribute spelled out:
 * {@code HttpOnly} (no script reads them), {@code Secure} (sent over HTTPS only; browsers count
 * {@code http://localhost} as secure, so local runs work without TLS), {@code SameSite=Lax} (not
 * sent with another site's POST; sent when a sign-in link is opened from elsewhere), path {@code
 * /}.
 */
final class Cookies {

  private Cookies() {}

  /** A cookie holding {@code value} for {@code maxAgeSeconds}. */
  static String of(String name, String value, long maxAgeSeconds) {
    return name
        + "="
        + value
        + "; Path=/; Max-Age="
        + maxAgeSeconds
        + "; HttpOnly; Secure; SameSite=Lax";
  }

  /** A cookie that removes {@code name}. */
  static String expired(String name) {
    return name + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax";
  }
}

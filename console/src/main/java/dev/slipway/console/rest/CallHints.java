package dev.slipway.console.rest;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a user's pages needed to ask last time, so the next load starts those calls at once instead
 * of after the call that says what is needed: the applications and their environments (the
 * applications page asks deploy-service for each environment once trigger-service named them), an
 * application's environments, the application a build belongs to.
 *
 * <p>A hint only decides which calls start early. What a page shows always comes from the calls of
 * this load, made with this user's token: when the fresh answer differs from the hint, the calls it
 * names are made then, and an early call nobody needs is dropped. Keyed by the user's token, so one
 * user's hints never shape another user's calls; by its SHA-256, so the map holds no credential.
 */
@ApplicationScoped
public class CallHints {

  /** How long a hint is used. */
  static final Duration KEPT = Duration.ofMinutes(10);

  /** Beyond this many hints, the expired ones are dropped (and all, if none has expired). */
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(Object value, long expiresAt) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** The hint {@code key} of {@code token}'s user, if one was noted in the last {@link #KEPT}. */
  public <T> Optional<T> get(String token, String key, Class<T> type) {
    Entry entry = entries.get(keyOf(token, key));
    if (entry == null || entry.expiresAt() - System.nanoTime() <= 0) {
      return Optional.empty();
    }
    return type.isInstance(entry.value())
        ? Optional.of(type.cast(entry.value()))
        : Optional.empty();
  }

  /** Notes {@code value} as hint {@code key} of {@code token}'s user. */
  public void put(String token, String key, Object value) {
    long now = System.nanoTime();
    if (entries.size() >= MAX_ENTRIES) {
      entries.values().removeIf(e -> e.expiresAt() - now <= 0);
      if (entries.size() >= MAX_ENTRIES) {
        entries.clear();
      }
    }
    entries.put(keyOf(token, key), new Entry(value, now + KEPT.toNanos()));
  }

  private static String keyOf(String token, String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest) + ' ' + key;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

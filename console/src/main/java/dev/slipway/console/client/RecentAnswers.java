package dev.slipway.console.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Answers that are costly to compute and slow to change, kept a few seconds per user: a drift check
 * compares the cluster with the release (Argo CD refreshes every three minutes), DORA's keys are
 * computed over weeks of the audit log. Keyed by the user's token and the call, so nobody sees an
 * answer made for someone else; only answers (2xx and 404) are kept, never a failure; a call that
 * is under way is shared by those who ask for it meanwhile.
 */
final class RecentAnswers {

  /** Beyond this many entries, the expired ones are dropped (and all, if none has expired). */
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(CompletableFuture<?> answer, long expiresAt) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * The kept answer of {@code call} for {@code token}, or {@code fetch}'s, kept for {@code ttl};
   * {@code onKept} is told when a kept one is served.
   */
  @SuppressWarnings("unchecked")
  <T> CompletableFuture<ApiResult<T>> get(
      String token,
      String call,
      Duration ttl,
      Supplier<CompletableFuture<ApiResult<T>>> fetch,
      Runnable onKept) {
    String key = token + ' ' + call;
    long now = System.nanoTime();
    Entry kept = entries.get(key);
    if (kept != null && kept.expiresAt() - now > 0) {
      onKept.run();
      return (CompletableFuture<ApiResult<T>>) kept.answer();
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.values().removeIf(e -> e.expiresAt() - now <= 0);
      if (entries.size() >= MAX_ENTRIES) {
        entries.clear();
      }
    }
    CompletableFuture<ApiResult<T>> answer = fetch.get();
    Entry entry = new Entry(answer, now + ttl.toNanos());
    entries.put(key, entry);
    answer.whenComplete(
        (result, failure) -> {
          if (failure != null || result == null || !(result.ok() || result.notFound())) {
            entries.remove(key, entry);
          }
        });
    return answer;
  }
}

package dev.slipway.build.log;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replaces secret values in a stream of text before it reaches any log. Output arrives in chunks
 * that may cut a secret anywhere, so text that could be the start of a secret is held back until
 * the next chunk decides; a multi-line secret (a key, a certificate) is also masked line by line,
 * since tools print it a line at a time. Not thread-safe: one masker per stream.
 */
public final class SecretMasker {

  /** What a secret is replaced with. */
  public static final String MASK = "***";

  // Shorter values would mask ordinary words; such "secrets" are refused where they are defined.
  private static final int MIN_LINE_LENGTH = 4;

  private final List<String> secrets;
  private final StringBuilder pending = new StringBuilder();

  private SecretMasker(List<String> secrets) {
    this.secrets = secrets;
  }

  /** A masker for these secret values; blank values are ignored. */
  public static SecretMasker of(Iterable<String> values) {
    Set<String> all = new LinkedHashSet<>();
    for (String value : values) {
      if (value == null || value.isBlank()) {
        continue;
      }
      all.add(value);
      if (value.contains("\n")) {
        for (String line : value.split("\r?\n")) {
          if (line.strip().length() >= MIN_LINE_LENGTH) {
            all.add(line.strip());
          }
        }
      }
    }
    List<String> sorted = new ArrayList<>(all);
    // The longest first, so a secret containing another is masked whole.
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new SecretMasker(List.copyOf(sorted));
  }

  /** A masker for these secrets and {@code more}, with its own, empty stream state. */
  public SecretMasker with(Iterable<String> more) {
    List<String> all = new ArrayList<>(secrets);
    more.forEach(all::add);
    return of(all);
  }

  /** A masker for the same secrets with its own, empty stream state. */
  public SecretMasker copy() {
    return new SecretMasker(secrets);
  }

  /** Masks a complete text at once, e.g. an error message. */
  public String mask(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    SecretMasker once = new SecretMasker(secrets);
    return once.accept(text) + once.flush();
  }

  /**
   * Takes the next chunk of a stream and returns what can be released, masked. Text that may be the
   * beginning of a secret stays behind until {@link #accept} or {@link #flush} decides.
   */
  public String accept(CharSequence chunk) {
    if (secrets.isEmpty()) {
      return chunk.toString();
    }
    pending.append(chunk);
    StringBuilder out = new StringBuilder(pending.length());
    int i = 0;
    int length = pending.length();
    while (i < length) {
      String match = secretAt(i);
      if (match != null) {
        out.append(MASK);
        i += match.length();
        continue;
      }
      if (couldStartSecret(i)) {
        break;
      }
      out.append(pending.charAt(i));
      i++;
    }
    pending.delete(0, i);
    return out.toString();
  }

  /** Releases what was held back: the stream ended, so it cannot become a secret any more. */
  public String flush() {
    String rest = pending.toString();
    pending.setLength(0);
    return rest;
  }

  private String secretAt(int index) {
    for (String secret : secrets) {
      if (regionMatches(index, secret, secret.length())) {
        return secret;
      }
    }
    return null;
  }

  private boolean couldStartSecret(int index) {
    int available = pending.length() - index;
    for (String secret : secrets) {
      if (secret.length() > available && regionMatches(index, secret, available)) {
        return true;
      }
    }
    return false;
  }

  private boolean regionMatches(int index, String secret, int count) {
    if (pending.length() - index < count) {
      return false;
    }
    for (int k = 0; k < count; k++) {
      if (pending.charAt(index + k) != secret.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}

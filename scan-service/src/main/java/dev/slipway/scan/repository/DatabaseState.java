package dev.slipway.scan.repository;

import java.time.OffsetDateTime;

/**
 * Whether the advisory database can judge a scan, and which content it holds.
 *
 * @param state READY, EMPTY or FAILED
 * @param version the newest {@code modified} and a digest over the imported set ({@code
 *     2024-05-01T10:00:00Z@sha256:...}); {@code empty} before any import
 * @param digest the digest alone; null before any import
 * @param newest the newest {@code modified}; null before any import
 * @param advisories advisories stored
 * @param reason why the configured import failed; null unless FAILED
 * @param changedAt when the state last changed
 */
public record DatabaseState(
    State state,
    String version,
    String digest,
    OffsetDateTime newest,
    long advisories,
    String reason,
    OffsetDateTime changedAt) {

  /** The states of the database. */
  public enum State {
    /** Nothing imported: every scan ends ERROR unless its policy opts out. */
    EMPTY,
    /** Imported and usable. */
    READY,
    /** The configured import failed: every scan ends ERROR with the reason. */
    FAILED
  }

  /** Why a scan cannot be judged against this database; null when it can. */
  public String unusableReason() {
    return switch (state) {
      case READY -> null;
      case EMPTY -> "no advisory database: nothing has been imported";
      case FAILED -> "the advisory database failed to import: " + reason;
    };
  }
}
